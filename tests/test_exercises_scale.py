"""Notebook 11's checkers, on a small catalogue loaded by the scale seed: the plan is PostgreSQL's."""

import pytest
from sqlalchemy.engine import URL

from smartstore.db import connect
from smartstore.tools.scale import scale_seed
from smartstore.workbook.exercises import scale


@pytest.fixture
def catalogue(migrated_scratch: URL) -> URL:
    """40 stores of 100 products: big enough for the planner to prefer the index."""
    scale_seed(migrated_scratch, 40, 100, 0, progress=False)
    with connect(migrated_scratch, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE products")
    return migrated_scratch


def test_the_index_is_the_one_the_plan_names(catalogue: URL) -> None:
    assert "another index" in scale.check_index_name("pk_products", catalogue).message
    assert not scale.check_index_name(None, catalogue)
    assert scale.check_index_name("uq_products_store_sku", catalogue).message == (
        "products has no index named 'uq_products_store_sku': copy the name from the plan's line "
        "'Index Scan using'."
    )
    verdict = scale.check_index_name("uq_products_store_id_sku", catalogue)
    assert verdict.passed, verdict


def test_the_sequential_scan_throws_away_every_other_store(catalogue: URL) -> None:
    assert "more than that" in scale.check_rows_removed(100, catalogue).message
    assert "fewer than that" in scale.check_rows_removed(4_000, catalogue).message
    for not_a_whole_number in ("3,900", 3_900.0, None):
        assert scale.check_rows_removed(not_a_whole_number, catalogue).message == (
            "predict a whole number of rows."
        )
    verdict = scale.check_rows_removed(3_900, catalogue)
    assert verdict.passed, verdict


COLUMNS = "store_id, sku, name, price_cents"


def copy_all(connection, rows) -> None:
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY products ({COLUMNS}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def test_a_copy_loader_must_copy_every_row_as_given(migrated_url: URL) -> None:
    def executemany(connection, rows) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO products ({COLUMNS}) VALUES (%s, %s, %s, %s)", rows)

    def first_ten(connection, rows) -> None:
        copy_all(connection, rows[:10])

    def columns_swapped(connection, rows) -> None:
        copy_all(connection, [(store, name, sku, price) for store, sku, name, price in rows])

    check = scale.check_copy_loader
    assert "no rows arrived" in check(lambda connection, rows: None).message
    assert "not through COPY" in check(executemany).message
    assert "10 of 1,000 rows arrived" in check(first_ten).message
    assert "column order" in check(columns_swapped).message
    assert check(lambda connection, rows: 1 / 0).message == (
        "your function raised ZeroDivisionError: division by zero"
    )

    def misspelt_table(connection, rows) -> None:
        with connection.cursor() as cursor, cursor.copy(f"COPY product ({COLUMNS}) FROM STDIN"):
            pass

    assert check(misspelt_table).message == (
        'your function raised UndefinedTable: relation "product" does not exist'
    )
    verdict = check(copy_all)
    assert verdict.passed, verdict
