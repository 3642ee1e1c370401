"""The sample data: what it holds, that it is idempotent, and that DATABASE_URL redirects it."""

import os
import subprocess
import sys

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from smartstore.db import make_engine
from smartstore.models import UserRole
from smartstore.seed import seed
from tests.conftest import count


def test_seed_fills_the_sample_data(session: Session) -> None:
    result = seed(session)
    assert result.summary() == "Seeded 2 stores, 5 products, 3 users."
    assert count(session, "SELECT count(*) FROM stores") == 2
    assert count(session, "SELECT count(*) FROM products") == 5
    roles = (
        session.execute(text("SELECT role::text FROM users ORDER BY users.role")).scalars().all()
    )
    assert roles == [role.value for role in UserRole]


def test_seed_twice_duplicates_nothing_and_says_so(session: Session) -> None:
    first = seed(session)
    second = seed(session)
    assert (first.created, second.created) == (10, 0)
    assert second.summary() == "Seeded nothing: the sample data was already there."
    total = "SELECT (SELECT count(*) FROM stores) + (SELECT count(*) FROM products) + (SELECT count(*) FROM users)"
    assert count(session, total) == 10


def test_the_summary_counts_what_this_run_inserted(session: Session) -> None:
    seed(session)
    session.execute(text("DELETE FROM products WHERE sku = 'HC-2002'"))
    session.execute(text("DELETE FROM users WHERE email = 'ada@example.com'"))
    again = seed(session)
    assert (again.stores, again.products, again.users) == (0, 1, 1)
    assert again.summary() == (
        "Seeded 0 stores, 1 product, 1 user; the rest of the sample data was already there."
    )


def test_seed_leaves_a_learners_change_alone(session: Session) -> None:
    seed(session)
    session.execute(text("UPDATE products SET price_cents = 1 WHERE sku = 'NB-1001'"))
    seed(session)
    assert count(session, "SELECT price_cents FROM products WHERE sku = 'NB-1001'") == 1


def test_database_url_points_the_seed_command_elsewhere(migrated_scratch: URL, engine) -> None:
    env = {**os.environ, "DATABASE_URL": migrated_scratch.render_as_string(hide_password=False)}
    done = subprocess.run(
        [sys.executable, "-m", "smartstore.seed"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == "Seeded 2 stores, 5 products, 3 users.\n"
    scratch = make_engine(migrated_scratch)
    with scratch.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM products")).scalar_one() == 5
    scratch.dispose()
    with engine.connect() as conn:  # the run's own database did not get them
        assert conn.execute(text("SELECT count(*) FROM products")).scalar_one() == 0
