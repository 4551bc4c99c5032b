/* Request authentication: a bearer token or the session cookie becomes
 * rq->who; cookie-authenticated writes must carry the CSRF token. */
#ifndef PHEU_HTTP_AUTH_H
#define PHEU_HTTP_AUTH_H

#include "http/http.h"

#define SESSION_COOKIE "pheu_session"

/* Sets rq->who from the credentials; E_UNAUTH when none or invalid. */
int http_authenticate(struct req *rq, struct err *err);
/* For writes by cookie sessions: E_FORBIDDEN unless X-CSRF-Token matches
 * the session's token. */
int http_check_csrf(struct req *rq, struct err *err);

#endif
