"""The reliability suite (issue 6): tests that cut across every app — schemathesis against the OpenAPI and Open311,
the page authorisation matrix from the URL conf, hostile input, login and session security, and fault injection
(an app process SIGKILLed under load). Not a Django app: it holds tests only. The long soak runs by ``make soak``."""
