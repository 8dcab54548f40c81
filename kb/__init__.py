"""The knowledge base and member data: models, sessions, repositories, migrations, loaders.

One repository module per aggregate: ``events``, ``markets`` (with trade agreements),
``services`` (procedures, regions, topics), ``sources``, ``users``, ``registrations``,
``alerts`` (subscriptions), ``handoffs``, ``notifications``, ``privacy``. Their functions are
typed, keyword-only after the session, and return the frozen dataclasses of ``kb.views``; the
caller owns the transaction (functions flush but never commit). ``kb.files`` checks and loads
the knowledge base's files and the event files; ``kb.display`` renders values for replies.
"""
