"""``voicedrill serve``: the instructor's workspace in the browser, over the data folder.

``create_app(data_dir, lan=False, access_code=None)`` returns the ASGI application
(Starlette); ``voicedrill serve`` runs it with uvicorn on 127.0.0.1. Pages: course
(cohort, groups, import), drill, group critique, annotate, scoring scripts. Everything a
page does is a library call: ``course``, ``annotations``, ``archive``, ``rescore``.
Modules: app (guards, shared routes), auth, html, jobs, pages_*. Pages that only read are
plain functions: Starlette runs them in its thread pool, so one long page (a debrief with
its audio) does not hold up the class.
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
