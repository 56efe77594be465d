/* bench_otlp.c - the same ops as OTLP JSON Lines, as Jaeger JSON, as a
 * Chrome trace and as a wcprof dump, for comparing the importers
 * (bench/ingest/run-otlp.sh measures them with wcprof-bench-ingest, against
 * SQLite alone inserting the same rows).
 *
 *   wcprof-bench-otlp -g SPANS DIR   writes DIR/otlp-SPANS.jsonl,
 *                                    DIR/jaeger-SPANS.json, DIR/chrome-SPANS.json
 *                                    and DIR/dump-SPANS.ndjson
 *
 * Trees of 13 spans (a root, 4 children, 2 grandchildren each) on 8
 * threads, one after another on each; the OTLP file is the file exporter's
 * JSON Lines, 64 trees a line (resource service.name, scope, spans with
 * hex ids, decimal-string times, wcprof.op.kind and dagger.io/dag.digest
 * attributes, one child in four with a wait link on its previous sibling);
 * the Jaeger file is the query API's answer, one document on one line
 * ({"data": [one trace]}: spans with a CHILD_OF reference to the parent,
 * µs times, the same two tags as string tags, flags, logs and warnings as
 * Jaeger writes them, a processID per 64 trees, the processes after the
 * spans), where the wait link is a FOLLOWS_FROM reference (Jaeger keeps no
 * link attributes); the Chrome trace has one X event per span (pid 1, the
 * tree's thread as tid); the dump has what the OTLP import makes of its
 * file (an op a span: class the name, kind, work type engine, ident the
 * digest, client the service; a wait a wait link; the same analyses), so
 * loading it is the OTLP load with no JSON of OTel's to read: the floor a
 * span reader can reach. So the files hold the same ops. Deterministic.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TREE 13
#define PER_LINE 64

typedef struct span {
    long long id, parent, start_us, dur_us, wait_on;
    int depth, tid;
} span;

/* The spans of tree r: times in µs. */
static int tree(long long r, span *out)
{
    int tid = (int)(r % 8);
    long long t0 = (r / 8) * 1000, base = r * TREE + 1;
    int n = 0;
    out[n++] = (span){base, 0, t0, 900, 0, 0, tid};
    for (int k = 0; k < 4; k++) {
        long long cid = base + n, cs = t0 + 10 + k * 200; /* n: 1, 4, 7, 10 */
        out[n++] = (span){cid, base, cs, 180, k && k % 2 == 0 ? cid - 3 : 0, 1, tid};
        for (int j = 0; j < 2; j++) {
            long long gid = base + n;
            out[n++] = (span){gid, cid, cs + 5 + j * 80, 70, 0, 2, tid};
        }
    }
    return n;
}

static const char *const names[3] = {"Container.withExec", "Directory.file", "exec"};
static const char *const kinds[3] = {"call", "call_exec", "exec"};

int main(int argc, char **argv)
{
    if (argc != 4 || strcmp(argv[1], "-g") != 0) {
        fprintf(stderr, "usage: wcprof-bench-otlp -g SPANS DIR\n");
        return 2;
    }
    long long want = atoll(argv[2]), trees = (want + TREE - 1) / TREE;
    char path[4096];
    snprintf(path, sizeof path, "%s/otlp-%lld.jsonl", argv[3], want);
    FILE *o = fopen(path, "w");
    snprintf(path, sizeof path, "%s/chrome-%lld.json", argv[3], want);
    FILE *c = fopen(path, "w");
    snprintf(path, sizeof path, "%s/jaeger-%lld.json", argv[3], want);
    FILE *jg = fopen(path, "w");
    snprintf(path, sizeof path, "%s/dump-%lld.ndjson", argv[3], want);
    FILE *d = fopen(path, "w");
    if (!o || !c || !jg || !d) {
        perror(path);
        return 1;
    }
    /* the dump's header: strings 1-3 the names, 4-7 the services, 8.. the
     * 4096 digests; every span an op, one in thirteen a wait */
    long long n_waits = 0, last_end = 0;
    span sp0[TREE];
    for (long long r = 0; r < trees; r++) {
        int n = tree(r, sp0);
        for (int k = 0; k < n; k++) {
            n_waits += sp0[k].wait_on != 0;
            if ((sp0[k].start_us + sp0[k].dur_us) * 1000 > last_end)
                last_end = (sp0[k].start_us + sp0[k].dur_us) * 1000;
        }
    }
    const long long epoch = 1700000000000000000LL;
    const char *trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    fprintf(d,
            "{\"schema_version\":1,\"epoch_unix_nano\":%lld,\"dumped_unix_nano\":%lld,"
            "\"dropped_events\":0,\"event_count\":%lld,\"strings\":[\"\"",
            epoch, epoch + last_end, trees * TREE + n_waits);
    for (int k = 0; k < 3; k++)
        fprintf(d, ",\"%s\"", names[k]);
    for (int k = 0; k < 4; k++)
        fprintf(d, ",\"engine-%d\"", k);
    for (int k = 0; k < 4096; k++)
        fprintf(d, ",\"sha256:%08x\"", (unsigned)k);
    fputs("]}\n", d);
    fputs("{\"traceEvents\":[", c);
    fprintf(jg, "{\"data\":[{\"traceID\":\"%s\",\"spans\":[", trace);
    span sp[TREE];
    for (long long r = 0; r < trees; r++) {
        if (r % PER_LINE == 0)
            fprintf(o,
                    "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                    "\"value\":{\"stringValue\":\"engine-%lld\"}}]},\"scopeSpans\":[{\"scope\":{"
                    "\"name\":\"dagger.io/engine\"},\"spans\":[",
                    (r / PER_LINE) % 4);
        int n = tree(r, sp);
        for (int k = 0; k < n; k++) {
            const span *s = &sp[k];
            char parent[24] = "";
            if (s->parent)
                snprintf(parent, sizeof parent, "%016llx", (unsigned long long)s->parent);
            fprintf(o,
                    "%s{\"traceId\":\"%s\",\"spanId\":\"%016llx\",\"parentSpanId\":\"%s\","
                    "\"name\":\"%s\",\"kind\":1,\"startTimeUnixNano\":\"%lld\","
                    "\"endTimeUnixNano\":\"%lld\",\"attributes\":[{\"key\":\"wcprof.op.kind\","
                    "\"value\":{\"stringValue\":\"%s\"}},{\"key\":\"dagger.io/dag.digest\","
                    "\"value\":{\"stringValue\":\"sha256:%08llx\"}}],\"status\":{}",
                    r % PER_LINE || k ? "," : "", trace, (unsigned long long)s->id, parent,
                    names[s->depth], epoch + s->start_us * 1000,
                    epoch + (s->start_us + s->dur_us) * 1000, kinds[s->depth],
                    (unsigned long long)(s->id % 4096));
            if (s->wait_on)
                fprintf(
                    o,
                    ",\"links\":[{\"traceId\":\"%s\",\"spanId\":\"%016llx\",\"attributes\":[{"
                    "\"key\":\"dagger.io/link.purpose\",\"value\":{\"stringValue\":\"wait\"}},"
                    "{\"key\":\"wcprof.wait.start_unix_ns\",\"value\":{\"stringValue\":\"%lld\""
                    "}},{\"key\":\"wcprof.wait.end_unix_ns\",\"value\":{\"stringValue\":\"%lld\""
                    "}}]}]",
                    trace, (unsigned long long)s->wait_on, epoch + s->start_us * 1000,
                    epoch + s->start_us * 1000 + 1000);
            fputs("}", o);
            fprintf(jg,
                    "%s{\"traceID\":\"%s\",\"spanID\":\"%016llx\",\"flags\":1,"
                    "\"operationName\":\"%s\",\"references\":[",
                    r || k ? "," : "", trace, (unsigned long long)s->id, names[s->depth]);
            if (s->parent)
                fprintf(jg, "{\"refType\":\"CHILD_OF\",\"traceID\":\"%s\",\"spanID\":\"%016llx\"}",
                        trace, (unsigned long long)s->parent);
            if (s->wait_on)
                fprintf(jg,
                        ",{\"refType\":\"FOLLOWS_FROM\",\"traceID\":\"%s\",\"spanID\":\"%016llx\"}",
                        trace, (unsigned long long)s->wait_on);
            fprintf(jg,
                    "],\"startTime\":%lld,\"duration\":%lld,\"tags\":[{\"key\":\"wcprof.op.kind\","
                    "\"type\":\"string\",\"value\":\"%s\"},{\"key\":\"dagger.io/dag.digest\","
                    "\"type\":\"string\",\"value\":\"sha256:%08llx\"}],\"logs\":[],"
                    "\"processID\":\"p%lld\",\"warnings\":null}",
                    epoch / 1000 + s->start_us, s->dur_us, kinds[s->depth],
                    (unsigned long long)(s->id % 4096), (r / PER_LINE) % 4);
            fprintf(
                d,
                "{\"e\":\"op\",\"k\":\"%s\",\"w\":\"engine\",\"id\":%lld,\"p\":%lld,\"c\":%d,\"i\":%lld,"
                "\"cl\":%lld,\"s\":%lld,\"d\":%lld}\n",
                kinds[s->depth], s->id, s->parent, 1 + s->depth, 8 + s->id % 4096,
                4 + (r / PER_LINE) % 4, s->start_us * 1000, (s->start_us + s->dur_us) * 1000);
            if (s->wait_on)
                fprintf(d, "{\"e\":\"wait\",\"p\":%lld,\"t\":%lld,\"s\":%lld,\"d\":%lld}\n", s->id,
                        s->wait_on, s->start_us * 1000, s->start_us * 1000 + 1000);
            fprintf(c,
                    "%s\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%lld,\"dur\":%lld,"
                    "\"pid\":1,\"tid\":%d,\"args\":{\"detail\":\"sha256:%08llx\"}}",
                    r || k ? "," : "", names[s->depth], kinds[s->depth], s->start_us, s->dur_us,
                    s->tid, (unsigned long long)(s->id % 4096));
        }
        if (r % PER_LINE == PER_LINE - 1 || r == trees - 1)
            fputs("]}]}]}\n", o);
    }
    fputs("\n]}\n", c);
    fputs("],\"processes\":{", jg);
    for (int p = 0; p < 4; p++)
        fprintf(jg, "%s\"p%d\":{\"serviceName\":\"engine-%d\",\"tags\":[]}", p ? "," : "", p, p);
    fputs("},\"warnings\":null}],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n", jg);
    if (fclose(o) != 0 || fclose(c) != 0 || fclose(jg) != 0 || fclose(d) != 0) {
        perror("write");
        return 1;
    }
    printf("%lld spans in %lld trees\n", trees * TREE, trees);
    return 0;
}
