"""The knowledge base and member data: models, sessions, repositories, migrations, loaders."""
