// tests/lib/openapi/check.mjs -- the OpenAPI document, and the responses the
// tests saw, held to a real validator.
//
//   node check.mjs doc FILE...
//       Each FILE is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator,
//       which checks it against the specification's own schema and resolves
//       every $ref), every schema in it compiles as JSON Schema 2020-12 in
//       ajv's strict mode, and it keeps the project's rules: every object
//       schema is closed (additionalProperties or unevaluatedProperties
//       false), every response lists X-Request-Id and Cache-Control, every
//       error is the Error schema, every operation of /v1/admin lists 401 and
//       403, every path parameter is declared, operationIds are unique, and
//       each x-lockbox-by-query names a parameter of its operation and two of
//       its schema's anyOf branches.
//
//   node check.mjs responses DOC JSONL...
//       Every response of each JSONL (one JSON object a line: method, path with its
//       query, status, content_type, headers {lowercase name: value}, body as
//       a string) is one that DOC allows: the path matches a template (a
//       literal segment beats a {parameter}; no template: 404 route_not_found),
//       the method is one of the path's (else 405 method_not_allowed), the
//       status is listed (a `default` with x-lockbox-statuses stands for those
//       only), the required headers are there and match their schema, a
//       response without content has no body, and the body is JSON of the
//       media type and matches its schema; where x-lockbox-by-query is given,
//       the schema of the case that applies (a list item with `value` only
//       when the request had include=value).  An error's code must be one
//       that the response's description names.
//
// Prints every problem (FILE: ... or JSONL:LINE: ...), then one summary
// line per file; exits 1 if there was any (2: could not run at all).  The validators come from the directory in
// LOCKBOX_OPENAPI_DIR (what tests/lib/openapi.sh's openapi_install prints:
// it holds node_modules/); without it, this script asks openapi_install,
// which installs them once from package-lock.json beside this file.

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const DEFS = "urn:lockbox:openapi";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function die(code, msg) {
	console.error(`check.mjs: ${msg}`);
	process.exit(code);
}

function installDir() {
	if (process.env.LOCKBOX_OPENAPI_DIR) return process.env.LOCKBOX_OPENAPI_DIR;
	try {
		const out = execFileSync("bash", ["-c", '. "$1" && openapi_install', "openapi_install",
			join(here, "..", "openapi.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
		return out.trim().split("\n").pop();
	} catch {
		die(2, "the validators could not be installed (see above)");
	}
}

const dir = installDir();
const need = createRequire(join(dir, "check.cjs"));
let Ajv2020, addFormats;
try {
	Ajv2020 = need("ajv/dist/2020.js");
	Ajv2020 = Ajv2020.default ?? Ajv2020;
	addFormats = need("ajv-formats");
	addFormats = addFormats.default ?? addFormats;
} catch (e) {
	die(2, `cannot load the validators from ${dir}: ${e.message}`);
}

// Only `doc` needs it (and its compile of the specification's schema).
async function openapiValidator() {
	try {
		const { Validator } = await import(pathToFileURL(need.resolve("@seriousme/openapi-schema-validator")).href);
		return new Validator();
	} catch (e) {
		die(2, `cannot load @seriousme/openapi-schema-validator from ${dir}: ${e.message}`);
	}
}

// The JSON in FILE, or undefined (and why, printed).
function readJson(file, what) {
	let text;
	try {
		text = readFileSync(file, "utf8");
	} catch (e) {
		console.log(`${file}: cannot read ${what}: ${e.message}`);
		return undefined;
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		console.log(`${file}: ${what} is not JSON: ${e.message}`);
		return undefined;
	}
}

// ------------------------------------------------------------ the document

function pointer(doc, ref) {
	if (typeof ref !== "string" || !ref.startsWith("#/")) return undefined;
	let v = doc;
	for (const raw of ref.slice(2).split("/")) {
		const k = raw.replace(/~1/g, "/").replace(/~0/g, "~");
		if (v === null || typeof v !== "object" || !(k in v)) return undefined;
		v = v[k];
	}
	return v;
}

// A Response, Parameter or Header object with its $ref followed.
function deref(doc, o) {
	let seen = 0;
	while (o && typeof o === "object" && typeof o.$ref === "string" && seen++ < 20) o = pointer(doc, o.$ref);
	return o;
}

// A schema of the document, its $refs to components/schemas made absolute
// (they then resolve in the one resource that holds them all).
function rebase(v) {
	if (Array.isArray(v)) return v.map(rebase);
	if (v === null || typeof v !== "object") return v;
	const o = {};
	for (const [k, x] of Object.entries(v)) {
		o[k] = k === "$ref" && typeof x === "string" && x.startsWith("#/components/schemas/")
			? `${DEFS}#/$defs/${x.slice("#/components/schemas/".length)}` : rebase(x);
	}
	return o;
}

function makeAjv(doc) {
	const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
	addFormats(ajv);
	// The OpenAPI 3.1 dialect's own keywords: annotations only.
	for (const k of ["discriminator", "xml", "externalDocs", "example"]) ajv.addKeyword(k);
	ajv.addSchema({ $id: DEFS, $defs: rebase(doc.components?.schemas ?? {}) });
	return ajv;
}

// Every operation: [template, method, operation, pathItem].
function operations(doc) {
	const out = [];
	for (const [t, item] of Object.entries(doc.paths ?? {})) {
		for (const m of METHODS) if (item[m]) out.push([t, m, item[m], item]);
	}
	return out;
}

function opParams(doc, item, op) {
	const byKey = new Map();
	for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
		const r = deref(doc, p);
		if (r) byKey.set(`${r.in}:${r.name}`, r);
	}
	return [...byKey.values()];
}

function errorCodes(doc) {
	return pointer(doc, "#/components/schemas/Error/properties/error/properties/code/enum") ?? [];
}

function namedCodes(codes, text) {
	return codes.filter((c) => new RegExp(`(^|[^a-z_])${c}([^a-z_]|$)`).test(text ?? ""));
}

// The project's rules, beyond what the specification's schema says.
function lint(doc) {
	const problems = [];
	let ajv;
	try {
		ajv = makeAjv(doc);
	} catch (e) {
		return [`components/schemas: ${e.message}`];
	}
	for (const name of Object.keys(doc.components?.schemas ?? {})) {
		try {
			ajv.getSchema(`${DEFS}#/$defs/${name}`);
		} catch (e) {
			problems.push(`components/schemas/${name}: ${e.message}`);
		}
	}
	// Closed object schemas, wherever they are.
	const walk = (v, where) => {
		if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}/${i}`));
		if (v === null || typeof v !== "object") return;
		if (v.properties && typeof v.properties === "object" && !Array.isArray(v.properties) &&
			v.additionalProperties !== false && v.unevaluatedProperties !== false &&
			where.includes("schema")) {
			problems.push(`${where}: an object schema with properties must set additionalProperties: false`);
		}
		for (const [k, x] of Object.entries(v)) {
			if (k === "properties" && x && typeof x === "object") {
				for (const [pk, px] of Object.entries(x)) walk(px, `${where}/properties/${pk}`);
			} else if (k !== "examples" && k !== "example") {
				walk(x, `${where}/${k}`);
			}
		}
	};
	walk(doc.components?.schemas ?? {}, "#/components/schemas");
	walk(doc.paths ?? {}, "#/paths");

	const ids = new Map();
	const compiled = new Set();
	const codes = errorCodes(doc);
	const named = new Set();
	for (const [t, m, op, item] of operations(doc)) {
		const where = `${m.toUpperCase()} ${t}`;
		if (op.operationId) {
			if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} also on ${ids.get(op.operationId)}`);
			ids.set(op.operationId, where);
		} else {
			problems.push(`${where}: no operationId`);
		}
		const params = opParams(doc, item, op);
		const inPath = [...t.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]);
		for (const n of inPath) {
			if (!params.some((p) => p.in === "path" && p.name === n)) problems.push(`${where}: path parameter {${n}} is not declared`);
		}
		for (const p of params) {
			if (p.in === "path" && !inPath.includes(p.name)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
		}
		const responses = op.responses ?? {};
		const admin = Array.isArray(op.security) ? op.security.length > 0 : (doc.security ?? []).length > 0;
		for (const s of admin ? ["401", "403", "500", "default"] : ["500", "default"]) {
			if (!responses[s]) problems.push(`${where}: no ${s} response`);
		}
		for (const [status, raw] of Object.entries(responses)) {
			const r = deref(doc, raw);
			const at = `${where} ${status}`;
			if (!r) {
				problems.push(`${at}: unresolved ${raw.$ref}`);
				continue;
			}
			for (const c of namedCodes(codes, r.description)) named.add(c);
			for (const h of ["X-Request-Id", "Cache-Control"]) {
				if (!r.headers?.[h]) problems.push(`${at}: does not list the ${h} header`);
			}
			const isError = status === "default" || /^[45]/.test(status);
			if (status === "204") {
				if (r.content) problems.push(`${at}: a 204 has no content`);
				continue;
			}
			const media = r.content?.["application/json"];
			if (!media) {
				problems.push(`${at}: no application/json content`);
				continue;
			}
			if (isError && media.schema?.$ref !== "#/components/schemas/Error") {
				problems.push(`${at}: an error's schema must be #/components/schemas/Error`);
			}
			const key = JSON.stringify(media.schema ?? {});
			if (!compiled.has(key)) {
				compiled.add(key);
				try {
					ajv.compile(rebase(media.schema ?? {}));
				} catch (e) {
					problems.push(`${at}: schema: ${e.message}`);
				}
			}
			const by = media["x-lockbox-by-query"];
			if (by) {
				const p = params.find((x) => x.in === "query" && x.name === by.parameter);
				if (!p) problems.push(`${at}: x-lockbox-by-query names ${by.parameter}, not a query parameter of the operation`);
				const branches = (media.schema?.anyOf ?? []).map((b) => b.$ref);
				for (const c of ["present", "absent"]) {
					if (!pointer(doc, by[c])) problems.push(`${at}: x-lockbox-by-query ${c}: ${by[c]} does not resolve`);
					else if (!branches.includes(by[c])) problems.push(`${at}: x-lockbox-by-query ${c}: ${by[c]} is not a branch of the schema's anyOf`);
				}
			}
		}
	}
	for (const r of Object.values(doc.components?.responses ?? {})) {
		for (const c of namedCodes(codes, r.description)) named.add(c);
	}
	for (const c of codes) {
		if (!named.has(c)) problems.push(`error code ${c}: no response's description names it`);
	}
	return problems;
}

async function checkDoc(v, file) {
	const doc = readJson(file, "the document");
	if (doc === undefined) {
		console.log(`${file}: INVALID`);
		return false;
	}
	const res = await v.validate(structuredClone(doc));
	const problems = [];
	if (!res.valid) {
		const errs = Array.isArray(res.errors) ? res.errors : [res.errors];
		for (const e of errs) {
			problems.push(typeof e === "string" ? e
				: `${e.instancePath || "/"}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
		}
	} else if (!String(doc.openapi).startsWith("3.1.")) {
		problems.push(`openapi is ${doc.openapi}, not 3.1.x`);
	}
	if (res.valid) problems.push(...lint(doc));
	for (const p of problems) console.log(`${file}: ${p}`);
	const nops = operations(doc).length;
	console.log(`${file}: ${problems.length === 0 ? "valid" : "INVALID"} OpenAPI ${doc.openapi} ` +
		`(${Object.keys(doc.paths ?? {}).length} paths, ${nops} operations, ` +
		`${Object.keys(doc.components?.schemas ?? {}).length} schemas): ${problems.length} problems`);
	return problems.length === 0;
}

// ------------------------------------------------------------ the responses

function decode(s) {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

// The template of the path: same number of segments, literals equal, a
// {parameter} takes any non-empty segment; of several, the one whose first
// literal comes first (as the server's router decides).
function matchTemplate(doc, path) {
	const segs = path.split("/");
	let best = null;
	let bestKey = "";
	for (const t of Object.keys(doc.paths ?? {})) {
		const ts = t.split("/");
		if (ts.length !== segs.length) continue;
		let key = "";
		let ok = true;
		for (let i = 0; i < ts.length && ok; i++) {
			if (/^\{[^}]+\}$/.test(ts[i])) {
				ok = segs[i] !== "";
				key += "0";
			} else {
				ok = ts[i] === segs[i] || ts[i] === decode(segs[i]);
				key += "1";
			}
		}
		if (ok && (best === null || key > bestKey)) {
			best = t;
			bestKey = key;
		}
	}
	return best;
}

function headerValue(schema, v) {
	if (schema?.type === "integer" && /^-?[0-9]+$/.test(v)) return Number(v);
	return v;
}

// The checker of responses against DOC: a function of one JSONL file.
function responseChecker(docFile) {
	const doc = readJson(docFile, "the document");
	if (doc === undefined) process.exit(2);
	let ajv;
	try {
		ajv = makeAjv(doc);
	} catch (e) {
		die(2, `${docFile}: its schemas do not compile: ${e.message}`);
	}
	const compiled = new Map();
	const validator = (key, schema) => {
		if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
		return compiled.get(key);
	};
	const codes = errorCodes(doc);
	const front = deref(doc, { $ref: "#/components/responses/FrontServerError" });
	const frontStatuses = front?.["x-lockbox-statuses"] ?? [];
	return (jsonl) => checkResponses(doc, docFile, ajv, validator, codes, front, frontStatuses, jsonl);
}

function checkResponses(doc, docFile, ajv, validator, codes, front, frontStatuses, jsonl) {
	let text;
	try {
		text = readFileSync(jsonl, "utf8");
	} catch (e) {
		console.log(`${jsonl}: cannot read: ${e.message}`);
		return false;
	}
	const lines = text.split("\n").filter((l) => l !== "");
	let bad = 0;
	const byOp = new Map();
	lines.forEach((line, i) => {
		const say = (what, rec) => {
			bad++;
			const head = rec ? `${rec.method} ${String(rec.path).slice(0, 120)} -> ${rec.status}` : "";
			console.log(`${jsonl}:${i + 1}: ${head}: ${what}`);
		};
		let rec;
		try {
			rec = JSON.parse(line);
		} catch (e) {
			return say(`not JSON: ${e.message}`);
		}
		if (typeof rec.method !== "string" || typeof rec.path !== "string" || !Number.isInteger(Number(rec.status)) ||
			typeof rec.body !== "string") {
			return say("not a response record (method, path, status, body)", rec);
		}
		const status = String(rec.status);
		const q = rec.path.indexOf("?");
		const path = q < 0 ? rec.path : rec.path.slice(0, q);
		const query = new URLSearchParams(q < 0 ? "" : rec.path.slice(q + 1));
		const method = rec.method.toLowerCase();
		const t = matchTemplate(doc, path);
		let response;
		let op = null;
		let where;
		if (t === null || !doc.paths[t][method]) {
			// No route, or another method: decided before the key, with the
			// error shape; or the front server's own answer.
			const name = t === null ? "RouteNotFound" : "MethodNotAllowed";
			const want = t === null ? "404" : "405";
			where = t === null ? "(no path)" : `${rec.method} ${t} (not a method of the path)`;
			if (status === want) response = deref(doc, { $ref: `#/components/responses/${name}` });
			else if (frontStatuses.includes(Number(status))) response = front;
			else return say(t === null ? `no path of the document matches, and the status is not 404`
				: `${rec.method} is not a method of ${t}, and the status is not 405`, rec);
		} else {
			op = doc.paths[t][method];
			where = `${op.operationId ?? `${rec.method} ${t}`}`;
			const rs = op.responses ?? {};
			let raw = rs[status] ?? rs[`${status[0]}XX`];
			if (!raw && rs.default) {
				const d = deref(doc, rs.default);
				if (!Array.isArray(d?.["x-lockbox-statuses"]) || d["x-lockbox-statuses"].includes(Number(status))) raw = rs.default;
			}
			if (!raw) return say(`status ${status} is not listed for ${where}`, rec);
			response = deref(doc, raw);
		}
		byOp.set(where, (byOp.get(where) ?? 0) + 1);
		if (!response) return say(`${where}: its response does not resolve`, rec);
		const problems = [];
		if (rec.headers && typeof rec.headers === "object") {
			for (const [name, rawh] of Object.entries(response.headers ?? {})) {
				const h = deref(doc, rawh);
				const v = rec.headers[name.toLowerCase()];
				if (v === undefined) {
					if (h?.required) problems.push(`no ${name} header`);
				} else if (h?.schema) {
					const val = validator(`header ${JSON.stringify(h.schema)}`, h.schema);
					if (!val(headerValue(h.schema, v))) problems.push(`header ${name}: ${JSON.stringify(v)} ${ajv.errorsText(val.errors)}`);
				}
			}
		}
		if (!response.content) {
			if (rec.body !== "") problems.push(`a body where ${where} ${status} has none: ${rec.body.slice(0, 120)}`);
		} else {
			const ct = String(rec.content_type ?? "").split(";")[0].trim().toLowerCase();
			const mt = Object.keys(response.content).find((k) => k.toLowerCase() === ct);
			if (!mt) {
				problems.push(`Content-Type ${JSON.stringify(rec.content_type ?? "")}, not ${Object.keys(response.content).join(" or ")}`);
			} else {
				const media = response.content[mt];
				let body;
				let parsed = false;
				try {
					body = JSON.parse(rec.body);
					parsed = true;
				} catch (e) {
					problems.push(`the body is not JSON (${e.message}): ${rec.body.slice(0, 120)}`);
				}
				if (parsed) {
					let schema = media.schema ?? {};
					let key = `${t} ${method} ${status} ${mt}`;
					const by = media["x-lockbox-by-query"];
					if (by) {
						const which = query.has(by.parameter) ? "present" : "absent";
						schema = { $ref: by[which] };
						key += ` ${which}`;
					}
					const val = validator(key, schema);
					if (!val(body)) {
						const es = val.errors.slice(0, 6).map((e) => `${e.instancePath || "/"} ${e.message}` +
							(e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : "") +
							(e.params?.allowedValues ? ` (${e.params.allowedValues.join(", ")})` : ""));
						problems.push(`body does not match ${schema.$ref ?? "the schema"}${by ? ` (${by.parameter} ${query.has(by.parameter) ? "given" : "not given"})` : ""}: ${es.join("; ")}`);
					}
					const code = body?.error?.code;
					if (typeof code === "string") {
						const allowed = namedCodes(codes, response.description);
						if (allowed.length > 0 && !allowed.includes(code)) {
							problems.push(`error code ${code} is not one that ${where} ${status} names (${allowed.join(", ")})`);
						}
					}
				}
			}
		}
		if (problems.length > 0) say(problems.join("; "), rec);
	});
	const summary = [...byOp.entries()].sort().map(([k, n]) => `${k} ${n}`).join(", ");
	console.log(`${jsonl}: checked ${lines.length} responses against ${docFile}: ${bad} mismatches` +
		(summary ? ` (${summary})` : ""));
	if (lines.length === 0) console.log(`${jsonl}: no response recorded`);
	return bad === 0 && lines.length > 0;
}

// ------------------------------------------------------------ main

const [mode, ...args] = process.argv.slice(2);
let ok = true;
if (mode === "doc" && args.length >= 1) {
	const v = await openapiValidator();
	for (const f of args) ok = (await checkDoc(v, f)) && ok;
} else if (mode === "responses" && args.length >= 2) {
	const check = responseChecker(args[0]);
	for (const f of args.slice(1)) ok = check(f) && ok;
} else {
	die(2, "usage: node check.mjs doc FILE... | node check.mjs responses DOC JSONL...");
}
process.exit(ok ? 0 : 1);
