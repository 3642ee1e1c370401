"""psql and pg_dump of the version that fits the server: pg_dump refuses a server newer than itself
("aborting because of server version mismatch"), so the wheel's 16 serves 15 and 16, its 18 serves
17 and 18, and a newer server gets a clear error instead of a failed dump."""

import re
import subprocess

import pytest
from sqlalchemy.engine import URL

from smartstore.db import connect, server_major, server_version
from smartstore.embedded import client_command, pgserver
from smartstore.errors import SmartstoreError


@pytest.mark.parametrize(("server", "client"), [(15, 16), (16, 16), (17, 18), (18, 18)])
def test_the_closest_client_not_older_than_the_server(server: int, client: int) -> None:
    assert pgserver.client_bin_dir(server) == pgserver.bin_dir(client)


def test_a_server_newer_than_every_client_is_refused_saying_why() -> None:
    with pytest.raises(SmartstoreError) as refused:
        pgserver.client_bin_dir(19)
    assert str(refused.value).startswith(
        "The server runs PostgreSQL 19, newer than the clients (psql, pg_dump) this package ships, "
        "PostgreSQL 16 and 18, and pg_dump cannot read a server newer than itself."
    )


@pytest.mark.parametrize("program", ["psql", "pg_dump"])
def test_the_clients_fit_the_runs_server(migrated_url: URL, program: str) -> None:
    with connect(migrated_url) as conn:
        server = conn.info.server_version // 10000
    command, env = client_command(program, migrated_url, "--version")
    version = subprocess.run(command[:2], env=env, capture_output=True, text=True, check=True)
    client = int(re.search(r"\(PostgreSQL\) (\d+)", version.stdout).group(1))
    assert client == min(major for major in pgserver.POSTGRES_VERSIONS if major >= server)


def test_the_servers_version_and_its_major_as_the_package_reads_them(migrated_url: URL) -> None:
    with connect(migrated_url) as conn:
        number = conn.info.server_version  # 160014 for 16.14
    assert server_major(migrated_url) == number // 10000
    assert server_version(migrated_url).split(".")[:2] == [str(number // 10000), str(number % 100)]
