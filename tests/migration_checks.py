"""The round trip every migration history must survive, as plain functions.

tests/test_migrations.py runs them on the real history (they must pass) and on a deliberately broken
one (they must fail, with the error the broken migration really causes).
"""

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, pool
from sqlalchemy.engine import URL

from smartstore.tools.schema import catalog_objects, dump_schema

ONLY_ALEMBIC_VERSION = [
    ("index", "public.alembic_version_pkc"),
    ("table", "public.alembic_version"),
]


def revisions_oldest_first(config: Config) -> list[str]:
    script = ScriptDirectory.from_config(config)
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def catalog(url: URL) -> list[tuple[str, str]]:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        objects = catalog_objects(connection)
    engine.dispose()
    return objects


def assert_each_step_down_restores_the_schema(config: Config, url: URL) -> None:
    """Up one revision at a time to head, then down one at a time: each step down must give back
    exactly the schema (pg_dump text) and catalog that stood before that step's upgrade."""
    command.stamp(config, "base")  # alembic_version exists before the first step, as after the last
    before: dict[str, tuple[str, list]] = {}
    for revision in revisions_oldest_first(config):
        before[revision] = (dump_schema(url), catalog(url))
        command.upgrade(config, revision)
    for revision in reversed(revisions_oldest_first(config)):
        command.downgrade(config, "-1")
        schema, objects = before[revision]
        assert catalog(url) == objects, f"downgrade of {revision} left objects behind"
        assert dump_schema(url) == schema, f"downgrade of {revision} did not restore the schema"


def assert_round_trip_leaves_nothing(config: Config, url: URL) -> None:
    """upgrade head -> downgrade base -> nothing but alembic_version -> upgrade head again.

    "Nothing" is what the database held before: a server whose administrator put pgvector into
    template1 (a login that may not create extensions) starts every database with it."""
    there_before = set(catalog(url))
    command.upgrade(config, "head")
    at_head = dump_schema(url)
    command.downgrade(config, "base")
    left = [
        obj for obj in catalog(url) if obj not in ONLY_ALEMBIC_VERSION and obj not in there_before
    ]
    assert not left, f"downgrade base left behind: {left}"
    command.upgrade(config, "head")
    assert dump_schema(url) == at_head
