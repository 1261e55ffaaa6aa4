# tests/faults/ledger.awk -- compare the ledger of tests/faults/loadgen.c
# with what the database holds.  POSIX awk (mawk is enough).
#
# Input: ledger lines (see loadgen.c), and, for mode=check, database rows
# as "DB<TAB>id<TAB>name" (every secret whose name starts with the
# scenario's prefix, so that another scenario's rows are not counted).
#
#   awk -v mode=unresolved -f ledger.awk LEDGER...
#       prints what has no definite outcome yet, for `loadgen resolve`:
#       "C NAME KEY|-" and "D NAME ID"
#   awk -v mode=check -f ledger.awk DBDUMP LEDGER...
#       prints "key=value" lines (the counts below) then "problem: ..."
#       lines (at most 20).
#   awk -v mode=versions -v max_versions=N -f ledger.awk SVDUMP LEDGER...
#       the same for versions and soft deletes.  SVDUMP: one line per secret
#       of the scenario, live or deleted, "SV<TAB>id<TAB>name<TAB>live|
#       deleted<TAB>version<TAB>versions kept<TAB>lowest<TAB>highest<TAB>
#       rows with the current version" (see tests/faults/run).  Also prints
#       "probe<TAB>id<TAB>lowest<TAB>highest<TAB>tags" for each live secret
#       that a PATCH answered 503 had aimed at (tags: those PATCHes' tags):
#       the run reads every kept version of it back.
#
# What a status means (the contract, and lockbox's design notes):
#   create  201: done (its id).  503 database_unavailable, or any other 4xx
#           but 409 idempotency_key_in_progress: no effect.  Anything else
#           (no answer, 502, 504, 500...): unknown.  In a resolution (RC),
#           409 name_conflict for a create without a key: it had taken
#           effect (the name is unique to that request).
#   delete  204: gone; RD 404: gone (the earlier attempt did it); 503 or
#           another 4xx: no effect; D 404 on an id the client had seen
#           created and never deleted: the secret vanished (a lost write).
#   get     200: there; 404: vanished.
#
# Expected final state, per name: present (with the acknowledged id) when
# a create took effect and no delete of that id did; absent when every
# attempt had no effect or a delete took effect; unknown otherwise.
# Failures: lost (expected present, no row, or a row with another id, or
# vanished during the run), resurrected (a 204'd id still there),
# unacked (a row for a name whose every attempt had no effect, or a row
# gone whose every delete had no effect), dup (two
# rows for a name, or two different ids acknowledged for one name/key),
# foreign (a row whose name the ledger never sent).  Rows of names still
# unknown are counted apart (unresolved_present).
#
# Versions (mode=versions; one client writes and reads a secret, one
# request at a time, so its ledger is the secret's whole history):
#   patch   200: a version made (the answer's version, distinct per secret
#           and increasing); 503 database_unavailable: none made; 404:
#           the secret vanished; any other answer: unknown.
#   read    200: the value of the last acknowledged write, or of a write
#           whose outcome is unknown; never a value sent by a PATCH
#           answered 503; a version no lower than the last acknowledged.
# Failures: vrows (a secret whose kept versions are not exactly
# max(1, v - max_versions + 1)..v, v its current version), badpatch (the
# current version minus 1 is not between the PATCHes acknowledged and
# those plus the unknown ones, or an acknowledged version repeated or
# going backwards), badread (a read that breaks the rule above), badsoft
# (a 204'd delete whose secret is not in deleted_secrets, or a secret
# there or live that the ledger says was never created).

BEGIN { FS = "\t"; nprob = 0 }

# Problems that only mode=versions reports.
function vproblem(msg) { if (mode == "versions") problem(msg) }

function problem(msg) {
    if (nprob < 20) probs[++nprob] = msg
    else nprob++
}

function ccls(op, st, code) {
    if (st == 201) return "ok"
    if (op == "RC" && st == 409 && code == "name_conflict") return "exists"
    if (st == 409 && code == "idempotency_key_in_progress") return "none"
    if (st == 503 && code == "database_unavailable") return "none"
    if (st >= 400 && st < 500) return "none"
    return "unk"
}

function dcls(op, st, code) {
    if (st == 204) return "gone"
    if (op == "RD" && st == 404) return "gone"
    if (st == 404) return "vanished"
    if (st == 503 && code == "database_unavailable") return "none"
    if (st >= 400 && st < 500) return "none"
    return "unk"
}

$1 == "SV" {
    svn[$3]++
    svid[$3] = $2; svstate[$3] = $4; svver[$3] = $5; svlo[$3] = $7; svhi[$3] = $8
    nsv++
    if ($6 != ($5 < max_versions ? $5 : max_versions) || $7 != $5 - $6 + 1 || $8 != $5 || $9 != 1) {
        vrows++
        problem("versions of id " $2 " (" $3 ", " $4 ", version " $5 "): " $6 " kept, " $7 ".." $8 ", " $9 " current; expected " ($5 < max_versions ? $5 : max_versions) " ending at " $5)
    }
    next
}

$1 == "DB" {
    dbn[$3]++
    dbid[$3] = $2
    dbhas[$2] = $3
    ndb++
    next
}

NF >= 13 {
    op = $1; name = $5; st = $7 + 0; id = $8; code = $10
    run = (op == "C" || op == "D" || op == "G" || op == "P")
    if (run) {
        sent++
        bystatus[st]++
        if (st == 500 || st == 501 || (st >= 505 && st < 600)) n5xx++
    } else
        resolve_sent++
    if (op == "C" || op == "RC") {
        names[name] = 1
        keyfor[name] = $6
        if (op == "C" && $4 == 1) creates++
        c = ccls(op, st, code)
        if (c == "ok") {
            if (!(id in curtag)) { curtag[id] = "c"; curver[id] = 1 }
            if ((name in ackid) && ackid[name] != id) {
                dup201++
                problem("two ids acknowledged for " name ": " ackid[name] " and " id)
            }
            ackid[name] = id
            idname[id] = name
            if ($9 == 1) tookeffect[name] = 1
            if (op == "C") { acked++; if ($9 == 1) replays++ }
            else if ($9 == 1) rc_tookeffect++
            else rc_created++
        } else if (c == "exists") {
            existed[name] = 1
            tookeffect[name] = 1
            rc_tookeffect++
        } else if (c == "unk") {
            cunk[name] = 1
            if (op == "C") unk_run[name] = 1
        }
    } else if (op == "D" || op == "RD") {
        d = dcls(op, st, code)
        if (op == "D") deletes++
        if (d == "gone") { gone[id] = 1; if (op == "D") dacked++ }
        else if (d == "none") dnone[id] = 1
        else if (d == "vanished") {
            vanished++
            problem("delete of id " id " (" name "): 404, the acknowledged secret had vanished")
        } else if (d == "unk") { dunk[id] = 1; if (op == "D") dunk_run[id] = 1 }
    } else if (op == "P") {
        patches++
        ver = $14; tag = $15
        if (st == 200) {
            pack[id]++
            packed++
            if ((id SUBSEP ver) in pver) {
                badpatch++
                vproblem("PATCH of id " id " (" name "): version " ver " acknowledged twice")
            } else if (ver + 0 <= curver[id]) {
                badpatch++
                vproblem("PATCH of id " id " (" name "): version " ver " acknowledged after version " curver[id])
            }
            pver[id, ver] = 1
            curtag[id] = tag; curver[id] = ver + 0
        } else if (st == 404) {
            vanished++
            problem("PATCH of id " id " (" name "): 404, the acknowledged secret had vanished")
        } else if (st == 503 && code == "database_unavailable") {
            p503[id]++; p503tag[id, tag] = 1; p503tags[id] = p503tags[id] " " tag
            pnone++
        } else {
            punk[id]++; punkw[id, tag] = 1
            pmaybe++
        }
    } else if (op == "G") {
        if (st == 404) {
            vanished++
            problem("get of id " id " (" name "): 404, the acknowledged secret had vanished")
        } else if (st == 200 && (id in curtag)) {
            reads++
            tag = $15; ver = $14 + 0
            if (tag != curtag[id] && !((id SUBSEP tag) in punkw)) {
                badread++
                if ((id SUBSEP tag) in p503tag)
                    vproblem("get of id " id " (" name "): the value of PATCH " tag ", answered 503 (no effect)")
                else
                    vproblem("get of id " id " (" name "): value " tag " at version " ver ", expected " curtag[id] " (version " curver[id] ")")
            } else if (ver < curver[id] || (!(id in punk) && ver != curver[id])) {
                badread++
                vproblem("get of id " id " (" name "): version " ver ", the last acknowledged is " curver[id])
            }
        }
    }
}

# The final state of a name: present, absent-deleted, absent or unknown.
function final_state(n) {
    if ((n in ackid) || (n in existed)) {
        if ((n in ackid) && (ackid[n] in gone)) return "absent-deleted"
        if ((n in ackid) && (ackid[n] in dunk)) return "unknown"
        return "present"
    }
    if (n in cunk) return "unknown"
    return "absent"
}

function versions_end(    n, state, id, made, i) {
    for (n in names) {
        state = final_state(n)
        id = (n in ackid) ? ackid[n] : ""
        if (state == "absent-deleted") {
            if (!(n in svn) || svstate[n] != "deleted") {
                badsoft++
                problem("deleted with 204 but not in deleted_secrets: " n " (id " id ")" ((n in svn) ? ", it is " svstate[n] : ""))
            } else
                softok++
        } else if (state == "absent" && (n in svn)) {
            badsoft++
            problem("every create of " n " had no effect, but it is " svstate[n] " (id " svid[n] ")")
        }
        if (id == "" || !(n in svn) || svid[n] != id || (state != "present" && state != "absent-deleted"))
            continue
        made = svver[n] - 1
        checked++
        if (made < pack[id] + 0 || made > pack[id] + punk[id]) {
            badpatch++
            problem("id " id " (" n ") is at version " svver[n] ": " pack[id] + 0 " PATCHes acknowledged, " punk[id] + 0 " unknown, " p503[id] + 0 " answered 503")
        }
        if ((id in p503) && state == "present") print "probe\t" id "\t" svlo[n] "\t" svhi[n] "\t" p503tags[id]
    }
    for (n in svn)
        if (!(n in names)) { badsoft++; problem("foreign: a secret named " n " (" svstate[n] ") that no request sent") }
    printf "secrets=%d\nchecked=%d\npatches=%d\npatches_acked=%d\npatches_503=%d\npatches_unknown=%d\nreads=%d\ndeleted_ok=%d\n", nsv, checked, patches, packed, pnone, pmaybe, reads, softok
    printf "vrows=%d\nbadpatch=%d\nbadread=%d\nbadsoft=%d\nvanished=%d\n", vrows, badpatch, badread, badsoft, vanished
    for (i = 1; i <= nprob && i <= 20; i++) print "problem: " probs[i]
    if (nprob > 20) print "problem: ... and " (nprob - 20) " more"
}

END {
    if (mode == "unresolved") {
        for (n in cunk)
            if (!(n in ackid) && !(n in existed)) print "C", n, keyfor[n]
        for (i in dunk)
            if (!(i in gone)) print "D", ((i in idname) ? idname[i] : "?"), i
        exit 0
    }
    if (mode == "versions") {
        versions_end()
        exit 0
    }
    for (n in names) {
        state = final_state(n)
        if (state == "present") {
            expected++
            if (!(n in dbn) && (n in ackid) && (ackid[n] in dnone)) {
                unacked++
                problem("deleted although its delete was answered 503/4xx (no effect): " n " (id " ackid[n] ")")
            } else if (!(n in dbn)) {
                lost++
                problem("lost: " n " (acknowledged id " ackid[n] ") is not in the database")
            } else if ((n in ackid) && dbid[n] != ackid[n]) {
                lost++
                problem("lost: " n " was acknowledged as id " ackid[n] " but the database has id " dbid[n])
            }
        } else if (state == "absent-deleted") {
            if (n in dbn) {
                resurrected++
                problem("resurrected: " n " (id " ackid[n] ") was deleted with 204 but is in the database")
            }
        } else if (state == "absent") {
            if (n in dbn) {
                unacked++
                problem("unacknowledged: " n " (id " dbid[n] ") is in the database but every create of it had no effect (503/4xx)")
            }
        } else {
            unresolved++
            if (n in dbn) unresolved_present++
        }
    }
    for (n in dbn) {
        if (dbn[n] > 1) { dup++; problem("duplicate: " dbn[n] " rows named " n) }
        if (!(n in names)) { foreign++; problem("foreign: a row named " n " that no request sent") }
    }
    for (n in unk_run) unknown_creates++
    # An unknown attempt took effect when a later attempt was answered with
    # the replay of its record, or (no key) with name_conflict.
    for (n in unk_run) if (n in tookeffect) unknown_tookeffect++
    for (i in dunk_run) unknown_deletes++
    st = ""
    # Statuses in ascending order (few distinct values: a simple sort).
    ns = 0
    for (s in bystatus) keys[++ns] = s + 0
    for (i = 1; i <= ns; i++)
        for (j = i + 1; j <= ns; j++)
            if (keys[j] < keys[i]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
    for (i = 1; i <= ns; i++) st = st (i > 1 ? " " : "") keys[i] ":" bystatus[keys[i]]
    printf "sent=%d\nstatuses=%s\ncreates=%d\nacked_creates=%d\nreplays=%d\n", sent, st, creates, acked, replays
    printf "deletes=%d\nacked_deletes=%d\nexpected_rows=%d\ndb_rows=%d\n", deletes, dacked, expected, ndb
    printf "lost=%d\nvanished=%d\nresurrected=%d\nunacked=%d\ndup=%d\ndup201=%d\nforeign=%d\n", lost, vanished, resurrected, unacked, dup, dup201, foreign
    printf "unresolved=%d\nunresolved_present=%d\nunknown_creates=%d\nunknown_tookeffect=%d\nunknown_deletes=%d\n", unresolved, unresolved_present, unknown_creates, unknown_tookeffect, unknown_deletes
    printf "resolve_sent=%d\nrc_tookeffect=%d\nrc_created=%d\nn5xx=%d\n", resolve_sent, rc_tookeffect, rc_created, n5xx
    for (i = 1; i <= nprob && i <= 20; i++) print "problem: " probs[i]
    if (nprob > 20) print "problem: ... and " (nprob - 20) " more"
}
