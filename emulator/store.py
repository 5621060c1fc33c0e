"""Durable state of the reference watch, in SQLite.

Each request runs in one transaction and is committed before its reply is
sent, so whatever the watch acknowledged survives a crash of the process.
Rules modules declare their own tables; small settings live as JSON documents.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

_TABLES: list[str] = [
    "CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, body TEXT NOT NULL)",
]


def table(ddl: str) -> None:
    """Declare a table (rules modules call this at import)."""
    if ddl not in _TABLES:
        _TABLES.append(ddl)


class Store:
    def __init__(self, path: Path | str):
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        for ddl in _TABLES:
            self.db.execute(ddl)

    # -- transactions -------------------------------------------------------------

    def begin(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.db.execute("COMMIT")

    def rollback(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    # -- rows ---------------------------------------------------------------------

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        return self.db.execute(sql, params).fetchall()

    def one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        return self.db.execute(sql, params).fetchone()

    def scalar(self, sql: str, params: tuple | dict = ()) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- documents ----------------------------------------------------------------

    def doc(self, name: str, default: dict | None = None) -> dict:
        body = self.scalar("SELECT body FROM documents WHERE name = ?", (name,))
        return json.loads(body) if body is not None else dict(default or {})

    def put_doc(self, name: str, body: dict) -> None:
        self.execute("INSERT INTO documents(name, body) VALUES(?, ?) ON CONFLICT(name) DO UPDATE SET body = excluded.body", (name, json.dumps(body)))

    def wipe(self) -> None:
        """Delete every row of every table (the factory state)."""
        names = [r[0] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for name in names:
            self.execute(f"DELETE FROM {name}")  # noqa: S608 - names come from sqlite_master

    def close(self) -> None:
        self.db.close()
