"""Database layer: models, engine and session factory, migrations, repositories, KB loader."""
