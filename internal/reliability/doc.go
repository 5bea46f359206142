// Package reliability holds the tests that prove Kantuta's reliability and
// security claims (issue 9, docs/security.md): the built binary killed with
// SIGKILL under load, a PostgreSQL outage through a fault-injecting proxy, a
// graceful stop under load, a corpus of hostile requests, concurrent
// registrations and customer creates, the authorization matrix of every
// route, security headers and a scan of the logs for secrets. It has no
// code of its own: only tests.
//
// Every test prints its figures as lines starting with "figure:" (test.sh
// shows them; .ci/run collects them).
package reliability
