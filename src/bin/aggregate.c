/* aggregate.c - merging audit records into one table (see aggregate.h). */
#include "aggregate.h"
#include "jsonl.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define ROWS_SHOWN 12
#define NAME_MAX_SHOWN 24
#define CONN_MAX 80

struct row {
    char program[64];
    char conn[CONN_MAX];
    uint64_t closes, at_risk, reset, sending, unacked_only, bytes;
};

struct proc {
    long pid;
    char program[64];
    uint64_t closes, sockets, missed;
    bool summary;
};

struct agg {
    struct row *rows;
    size_t nrows, caprows;
    struct proc *procs;
    size_t nprocs, capprocs;
    uint64_t records, closes, at_risk, reset, sending, unacked_only, bytes, torn;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 16;
    p = realloc(p, *cap * size);
    if (!p) {
        perror("graceclose");
        exit(125);
    }
    return p;
}

static struct proc *proc_of(struct agg *a, long pid, const char *program)
{
    for (size_t i = 0; i < a->nprocs; i++)
        if (a->procs[i].pid == pid)
            return &a->procs[i];
    a->procs = grow(a->procs, &a->capprocs, a->nprocs, sizeof *a->procs);
    struct proc *p = &a->procs[a->nprocs++];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    snprintf(p->program, sizeof p->program, "%s", program ? program : "?");
    return p;
}

/* "host" of "host:port" or "[v6]:port". */
static void host_of(const char *addr, char *out, size_t cap)
{
    const char *colon = strrchr(addr, ':');
    size_t n = colon ? (size_t)(colon - addr) : strlen(addr);
    snprintf(out, cap, "%.*s", (int)n, addr);
}

static const char *port_of(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    return colon ? colon + 1 : "?";
}

/* Connected: "-> 127.0.0.1:80"; accepted or inherited: "127.0.0.1 -> :8080". */
static void connection(const struct gc_jsonl *o, char *out)
{
    const char *role = gc_jsonl_get(o, "role"), *peer = gc_jsonl_get(o, "peer"),
               *local = gc_jsonl_get(o, "local");
    char host[64];

    if (!peer)
        peer = "?";
    if (role && strcmp(role, "connected") == 0) {
        snprintf(out, CONN_MAX, "-> %s", peer);
        return;
    }
    host_of(peer, host, sizeof host);
    snprintf(out, CONN_MAX, "%s -> :%s", host, local ? port_of(local) : "?");
}

static void add_close(struct agg *a, const struct gc_jsonl *o, const char *program)
{
    char conn[CONN_MAX];
    const char *risk = gc_jsonl_get(o, "risk");
    bool reset = risk && strstr(risk, "reset"), sending = risk && strstr(risk, "peer-sending"),
         unacked = risk && strstr(risk, "unacked");
    struct row *r = NULL;

    connection(o, conn);
    for (size_t i = 0; i < a->nrows && !r; i++)
        if (strcmp(a->rows[i].program, program) == 0 && strcmp(a->rows[i].conn, conn) == 0)
            r = &a->rows[i];
    if (!r) {
        a->rows = grow(a->rows, &a->caprows, a->nrows, sizeof *a->rows);
        r = &a->rows[a->nrows++];
        memset(r, 0, sizeof *r);
        snprintf(r->program, sizeof r->program, "%s", program);
        snprintf(r->conn, sizeof r->conn, "%s", conn);
    }
    r->closes++;
    a->closes++;
    if (reset || sending) {
        uint64_t bytes = gc_jsonl_u64(o, "bytes_at_risk", 0);
        r->at_risk++, a->at_risk++;
        r->bytes += bytes, a->bytes += bytes;
        if (reset)
            r->reset++, a->reset++;
        else
            r->sending++, a->sending++;
    } else if (unacked) {
        r->unacked_only++, a->unacked_only++;
    }
}

static void take(struct agg *a, const char *line)
{
    static struct gc_jsonl o;
    const char *event, *program;

    if (!gc_jsonl_parse(line, &o)) {
        a->torn++;
        return;
    }
    event = gc_jsonl_get(&o, "event");
    program = gc_jsonl_get(&o, "program");
    if (!event || !program)
        return;
    a->records++;
    struct proc *p = proc_of(a, (long)gc_jsonl_u64(&o, "pid", 0), program);
    if (strcmp(event, "close") == 0) {
        const char *outcome = gc_jsonl_get(&o, "outcome");
        if (outcome && strcmp(outcome, "passed") != 0)
            add_close(a, &o, program);
    } else if (strcmp(event, "summary") == 0) {
        p->summary = true;
        p->closes = gc_jsonl_u64(&o, "closes", 0);
        p->sockets = gc_jsonl_u64(&o, "sockets", 0);
        p->missed = gc_jsonl_u64(&o, "missed", 0);
    }
}

static int by_risk(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    if (a->at_risk != b->at_risk)
        return a->at_risk > b->at_risk ? -1 : 1;
    if (a->closes != b->closes)
        return a->closes > b->closes ? -1 : 1;
    return strcmp(a->program, b->program);
}

static void table(const struct agg *a, FILE *out)
{
    int wp = 7, wc = 10;

    for (size_t i = 0; i < a->nrows && i < ROWS_SHOWN; i++) {
        int n = (int)strlen(a->rows[i].program), c = (int)strlen(a->rows[i].conn);
        wp = n > wp ? (n > NAME_MAX_SHOWN ? NAME_MAX_SHOWN : n) : wp;
        wc = c > wc ? c : wc;
    }
    fprintf(out, "  %-*s  %-*s  %6s  %7s  %5s  %12s  %13s\n", wp, "program", wc, "connection",
            "closes", "at risk", "reset", "peer-sending", "bytes at risk");
    for (size_t i = 0; i < a->nrows && i < ROWS_SHOWN; i++) {
        const struct row *r = &a->rows[i];
        fprintf(out, "  %-*.*s  %-*s  %6llu  %7llu  %5llu  %12llu  %13llu\n", wp, wp, r->program,
                wc, r->conn, (unsigned long long)r->closes, (unsigned long long)r->at_risk,
                (unsigned long long)r->reset, (unsigned long long)r->sending,
                (unsigned long long)r->bytes);
    }
    if (a->nrows > ROWS_SHOWN)
        fprintf(out, "  ... and %zu more rows (keep the records with --log FILE)\n",
                a->nrows - ROWS_SHOWN);
}

static void notes(const struct agg *a, FILE *out, uint64_t opens)
{
    if (a->at_risk)
        fprintf(out, "reset: unread input at close, the peer gets a reset for certain; "
                "peer-sending: the peer was\nstill sending, what it sends next gets a reset; "
                "bytes at risk: our data not yet acknowledged.\nRun the same command without "
                "--audit to make these closes graceful.\n");
    if (a->unacked_only)
        fprintf(out, "%llu more closes had data in flight, lost only if a reset follows.\n",
                (unsigned long long)a->unacked_only);
    for (size_t i = 0; i < a->nprocs; i++) {
        const struct proc *p = &a->procs[i];
        if (p->summary && p->missed && !p->closes)
            fprintf(out, "%s[%ld]: at least %llu TCP sockets were closed where graceclose "
                    "cannot see it (raw system calls,\nas node/libuv and Go make): they were not "
                    "audited.\n",
                    p->program, p->pid, (unsigned long long)p->missed);
    }
    if (a->closes == 0) {
        bool any_socket = false;
        for (size_t i = 0; i < a->nprocs; i++)
            any_socket |= a->procs[i].sockets > 0;
        if (!a->nprocs)
            fprintf(out, "graceclose was not active in any process of this run (no record at "
                    "all).\n");
        else if (!any_socket)
            fprintf(out, "graceclose saw no TCP socket in any process of this run.\n");
        if (!any_socket && opens != UINT64_MAX && opens > 0)
            fprintf(out, "Yet %llu TCP connections were opened on this machine meanwhile: if "
                    "they were this\nprogram's, it does not use libc for them (static or Go "
                    "binary, raw system calls).\n",
                    (unsigned long long)opens);
    }
    if (a->torn)
        fprintf(out, "%llu lines of the record file could not be read.\n",
                (unsigned long long)a->torn);
}

long gc_audit_report(const char *path, long offset, FILE *out, uint64_t opens)
{
    struct agg a = {0};
    char *line = NULL;
    size_t cap = 0;
    FILE *f = fopen(path, "r");

    if (!f) {
        fprintf(out, "graceclose: cannot read the audit records %s: %m\n", path);
        return -1;
    }
    if (offset > 0)
        fseek(f, offset, SEEK_SET);
    while (getline(&line, &cap, f) > 0)
        take(&a, line);
    free(line);
    fclose(f);

    qsort(a.rows, a.nrows, sizeof *a.rows, by_risk);
    fprintf(out, "graceclose audit: %zu process%s, %llu TCP close%s, %llu at risk (%llu reset "
            "for certain), %llu bytes at risk\n",
            a.nprocs, a.nprocs == 1 ? "" : "es", (unsigned long long)a.closes,
            a.closes == 1 ? "" : "s", (unsigned long long)a.at_risk,
            (unsigned long long)a.reset, (unsigned long long)a.bytes);
    if (a.nrows)
        table(&a, out);
    notes(&a, out, opens);
    free(a.rows);
    free(a.procs);
    return (long)a.at_risk;
}

uint64_t gc_tcp_opens(void)
{
    FILE *f = fopen("/proc/net/snmp", "r");
    char head[1024], vals[1024];
    uint64_t sum = UINT64_MAX;

    if (!f)
        return UINT64_MAX;
    while (fgets(head, sizeof head, f)) {
        if (strncmp(head, "Tcp:", 4) != 0 || !fgets(vals, sizeof vals, f))
            continue;
        char *hs = NULL, *vs = NULL;
        char *h = strtok_r(head, " \n", &hs), *v = strtok_r(vals, " \n", &vs);
        sum = 0;
        while (h && v) {
            if (strcmp(h, "ActiveOpens") == 0 || strcmp(h, "PassiveOpens") == 0)
                sum += strtoull(v, NULL, 10);
            h = strtok_r(NULL, " \n", &hs);
            v = strtok_r(NULL, " \n", &vs);
        }
        break;
    }
    fclose(f);
    return sum;
}
