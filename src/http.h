/* Requests in, responses out: the CGI environment the web server sent
 * parsed into a request (nginx and Apache set it differently; see
 * http_request_parse), and a response rendered into the bytes of a
 * FastCGI answer. Everything a handler sees was parsed here; reading the
 * body and sending the answer are here too (worker.c calls them; conns.c
 * owns the connections). */
#ifndef LOCKBOX_HTTP_H
#define LOCKBOX_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "apikey.h"
#include "buf.h"
#include "error.h"
#include "scope.h"

enum http_method {
	HTTP_OTHER	= 0,
	HTTP_GET	= 1 << 0,
	HTTP_POST	= 1 << 1,
	HTTP_PATCH	= 1 << 2,
	HTTP_DELETE	= 1 << 3,
	HTTP_PUT	= 1 << 4,
	HTTP_HEAD	= 1 << 5,
	HTTP_OPTIONS	= 1 << 6,
};

#define HTTP_MAX_PARAMS	16
#define HTTP_MAX_ARGS	4	/* {parameters} in a route's pattern */
#define HTTP_REQUEST_ID_MAX 64
#define HTTP_MOUNT_MAX	200	/* the path lockbox is mounted at */

struct http_param {
	char	*name;		/* percent-decoded, NUL-free */
	char	*value;		/* percent-decoded, NUL-free */
};

struct route;

struct http_request {
	enum http_method	 method;
	const char		*method_name;
	char			*path;		/* decoded; NULL if undecodable */
	char			*raw_path;	/* as sent, for the log */
	/* Where the API is mounted ("" at the root, else "/a/b"), cut off
	 * the front of path: Location and the OpenAPI document's server
	 * start with it. */
	char			 mount[HTTP_MOUNT_MAX + 1];
	struct http_param	 params[HTTP_MAX_PARAMS];
	size_t			 nparams;
	/* A query string that could not be decoded: reported only after
	 * authentication, as the contract orders checks. */
	enum lb_err		 query_err;
	char			 query_err_field[64];

	/* Headers; NULL when absent. They point into the FastCGI
	 * environment and live until the request is finished. */
	const char		*api_key;
	const char		*idempotency_key;
	const char		*if_match;
	const char		*content_type;
	const char		*remote_addr;	/* for the audit log */
	long long		 content_length;	/* -1 when absent */
	char			 request_id[HTTP_REQUEST_ID_MAX + 1];

	/* The body, read by http_read_body into a per-worker buffer. */
	const char		*body;
	size_t			 body_len;

	/* The key as sent: parsed once (auth_key_parse), as the statements
	 * that go with the key lookup need it before auth_decide has seen
	 * the lookup. Wiped by http_request_free. */
	int			 key_shape;	/* 0 not parsed, 1 a key's, -1 not */
	char			 key_prefix[APIKEY_PREFIX_LEN + 1];
	unsigned char		 key_hash[CRYPTO_HASH_LEN];	/* SHA-256 */
	struct buf		 key_hashes;	/* keyed, as a bytea[] literal */
	/* Set by auth_decide when the stored hash was made under an older
	 * ring key: the worker moves it to the active key after answering. */
	int			 key_rehash;
	unsigned char		 key_stored[CRYPTO_HASH_LEN];

	/* Set by the router and the authentication step. */
	const struct route	*route;		/* router.c's, opaque here */
	const char		*args[HTTP_MAX_ARGS];	/* {parameters} */
	int			 nargs;
	char			*args_store;	/* owns the args strings */
	struct principal	 key;
	int			 key_ok;
	long			 round_trips;	/* to PostgreSQL, for the log */
	struct timespec		 started;

	char			*query_store;	/* owns the params strings */
};

struct http_response {
	int			 status;
	struct buf		 body;
	struct buf		 headers;	/* extra "Name: value\r\n" lines */
	enum lb_err		 err;		/* LB_OK unless an error reply */
	const char		*mount;		/* the request's, for links */
	char			 err_field[128];
	char			 err_message[256];
};

/* Parses the CGI environment envp (as FastCGI delivers it) into req.
 * base_path: the mount path set by the operator ("": none, then the web
 * server's PATH_INFO tells it). Returns 0, or -1 when out of memory.
 * Problems with the request itself are recorded in req (path NULL,
 * query_err) for the router to report in the contract's order. */
int	http_request_parse(struct http_request *req, char **envp,
	    const char *base_path);

/* Decodes an application/x-www-form-urlencoded query string into
 * req->params. Used by http_request_parse; exposed for tests. */
void	http_query_parse(struct http_request *req, const char *qs);

/* Percent-decodes src[0..n) into dst (at least n + 1 bytes); '+' becomes
 * a space when plus_is_space. Returns the decoded length, or -1 on a
 * malformed escape or a NUL byte. */
long	http_percent_decode(char *dst, const char *src, size_t n,
	    int plus_is_space);

/* Returns the value of query parameter name, or NULL. */
const char *http_param(const struct http_request *, const char *name);

/* Releases what http_request_parse allocated. */
void	http_request_free(struct http_request *);

/* Records an error reply: the body is rendered later, by
 * http_response_render, with the request id. Returns e, so that callers
 * can write "return http_error(...)". */
enum lb_err http_error(struct http_response *, enum lb_err e,
	    const char *field, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));

/* Adds a response header line; name and value must be plain ASCII, and
 * are lockbox's own (never a client's). */
void	http_header(struct http_response *, const char *name,
	    const char *value);

/* Sets a JSON success status; the handler writes resp->body itself. */
void	http_json(struct http_response *, int status);

/* Renders the whole FastCGI response (headers and body) into out. */
void	http_response_render(const struct http_request *,
	    struct http_response *, struct buf *out);

void	http_response_reset(struct http_response *);
void	http_response_free(struct http_response *);

/* Whether s is an acceptable client request id. */
int	http_request_id_valid(const char *s);

#ifdef LOCKBOX_WITH_FCGI
#include <fcgiapp.h>
/* Reads the body, at most max_body bytes; a declared length over the
 * limit is refused before reading anything. The buffer is the worker's
 * own, reused and wiped between requests. */
enum lb_err http_read_body(FCGX_Stream *in, struct http_request *,
	    struct buf *bodybuf, long max_body);
/* Reads the end of the input (the empty FCGI_STDIN record) after the
 * body: 1 when it was there, so that nothing unread is left when the
 * connection closes. */
int	http_body_drained(FCGX_Stream *in);
/* Queues rendered bytes on the stream (FCGX_Finish_r sends them); -1 when
 * the peer went away. */
int	http_send(FCGX_Stream *out, const struct buf *rendered);
#endif

#endif
