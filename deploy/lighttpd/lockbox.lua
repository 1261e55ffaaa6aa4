-- lockbox: the mod_magnet script of the lighttpd site (deploy/lighttpd/lockbox.conf.in).
--
-- Not a template: install it as it is (e.g. /etc/lighttpd/lockbox.lua) and
-- give its path to the site as LOCKBOX_LUA.  The site runs it at two stages:
--
-- 1. magnet.attract-physical-path-to, for a request lighttpd hands to lockbox
--    (lighty.r.req_item.http_status is still 0):
--    - the request id: the client's X-Request-Id when it matches
--      ^[A-Za-z0-9._-]{1,64}$, else a fresh one (32 hex digits, like nginx's
--      $request_id), put back into the request so that lockbox gets it as
--      HTTP_X_REQUEST_ID and lighttpd's own errors use the same id;
--    - the mount: mod_fastcgi, given the prefix MOUNT/, makes SCRIPT_NAME the
--      mount plus the path's next segment (/tools/vault/v1) and PATH_INFO the
--      rest (/health).  Moved back here: SCRIPT_NAME is the mount and
--      PATH_INFO the API's path (/v1/health), as with the nginx site.  At the
--      root (prefix "/", fix-root-scriptname) PATH_INFO is already the whole
--      path and SCRIPT_NAME empty: nothing to do.
--
-- 2. magnet.attract-response-start-to, for every response of the site:
--    lockbox puts X-Request-Id on every response it sends, so a response
--    without one, with a status of 400 or more, is lighttpd's own (400 for a
--    request it cannot parse, 404 outside the mount, 413 for a large body,
--    431 for large headers, 503 when the pool does not accept, 504 when it
--    does not answer...).  Its body is replaced with the contract's JSON
--    error, with X-Request-Id, Cache-Control: no-store and the JSON
--    Content-Type; 501 and 505 (a transfer encoding or HTTP version lighttpd
--    does not speak) become the client's 400, as in the nginx site.

local r = lighty.r

local function valid_id(id)
    return id ~= nil and #id >= 1 and #id <= 64 and not id:find("[^A-Za-z0-9._-]")
end

local function fresh_id()
    local c = lighty.c
    return string.format("%08x%08x%08x%08x", c.rand() & 0xffffffff, c.rand() & 0xffffffff,
                         c.rand() & 0xffffffff, c.rand() & 0xffffffff)
end

local status = r.req_item.http_status

if status == 0 then
    -- 1. The request, on its way to lockbox.
    if not valid_id(r.req_header["X-Request-Id"]) then
        r.req_header["X-Request-Id"] = fresh_id()
    end
    local sn = r.req_attr["uri.path"] or ""
    if sn ~= "" then
        local mount, seg = sn:match("^(.*)(/[^/]*)$")
        if mount then
            r.req_attr["request.path-info"] = seg .. (r.req_attr["request.path-info"] or "")
            r.req_attr["uri.path"] = mount
        end
    end
    return 0
end

-- 2. The response: lockbox's own passes untouched.
if status < 400 or r.resp_header["X-Request-Id"] then
    return 0
end

-- The contract's code for each status lighttpd produces by itself; a
-- request it cannot parse has no row in the contract's table and gets
-- invalid_parameter ("a part of the request is malformed") with lighttpd's
-- own, precise, status.
local errors = {
    [400] = { "invalid_parameter", "the HTTP request is malformed" },
    [403] = { "internal_error", "the front web server refused the request" },
    [404] = { "route_not_found", "no such route" },
    [405] = { "method_not_allowed", "this method is not allowed" },
    [408] = { "invalid_parameter", "the request was not received in time" },
    [411] = { "invalid_parameter", "the request needs a Content-Length" },
    [413] = { "payload_too_large", "the request body is larger than the limit" },
    [414] = { "invalid_parameter", "the request URI is too long" },
    [417] = { "invalid_parameter", "the Expect header is not supported" },
    [431] = { "invalid_parameter", "the request headers are too large" },
    [501] = { "invalid_parameter", "the request uses a method or encoding that is not supported" },
    [502] = { "internal_error", "the lockbox service is not answering; retry shortly" },
    [503] = { "internal_error", "the lockbox service is not available; retry shortly" },
    [504] = { "internal_error", "the lockbox service did not answer in time; retry shortly" },
    [505] = { "invalid_parameter", "the HTTP version is not supported" },
}
local e = errors[status] or { "internal_error", "the front web server failed to handle the request" }
if status == 501 or status == 505 then
    status = 400
end

local rid = r.req_header["X-Request-Id"]
if not valid_id(rid) then
    rid = fresh_id()
end

local h = r.resp_header
h["Content-Type"] = "application/json; charset=utf-8"
h["Cache-Control"] = "no-store"
h["X-Request-Id"] = rid
if status >= 502 and status <= 504 then
    h["Retry-After"] = "1"
end
if status == 405 then
    -- lighttpd cannot know the route's methods: those the API uses.
    h["Allow"] = "GET, POST, PATCH, DELETE"
end
r.resp_body.set({ '{"error":{"code":"' .. e[1] .. '","message":"' .. e[2] ..
                  '","request_id":"' .. rid .. '"}}' })
-- Returning the status ends the response here, with this body and its
-- Content-Length (without it, a body set at this stage of a failed
-- FastCGI request is left unterminated).
return status
