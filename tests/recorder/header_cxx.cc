// header_cxx.cc - wcprof.h from C++: the C API and the RAII wrappers
// (wcp::op, wcp::wait, wcp::adopt) record what they should, and the
// header is clean under -Wall -Wextra -Wzero-as-null-pointer-constant
// -Wold-style-cast (-Werror). Checked on a dump read back with dumpcheck.
// Built twice: as is (test recorder_cxx) and with -DWCPROF_DISABLE
// (recorder_cxx_disabled: the same calls record nothing).
#include "dumpcheck.h"
#include "wcprof.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

static_assert(!std::is_copy_constructible<wcp::op>::value, "op: no copies");
static_assert(!std::is_copy_assignable<wcp::op>::value, "op: no copies");
static_assert(std::is_nothrow_move_constructible<wcp::op>::value, "op moves");
static_assert(std::is_nothrow_move_assignable<wcp::op>::value, "op moves");
static_assert(!std::is_copy_constructible<wcp::wait>::value, "wait: no copies");
static_assert(std::is_nothrow_move_constructible<wcp::wait>::value, "wait moves");
static_assert(!std::is_copy_constructible<wcp::adopt>::value, "adopt stays");
static_assert(!std::is_move_constructible<wcp::adopt>::value, "adopt stays");

static int failures;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

[[gnu::unused]] static json_t *find(const dc_dump &d, const char *e, const char *key, json_int_t v)
{
    size_t i;
    json_t *x;
    json_array_foreach(d.events, i, x)
    {
        if (std::strcmp(dc_s(x, "e"), e) == 0 && dc_int(x, key) == v)
            return x;
    }
    return nullptr;
}

// An op ended by the exception that leaves its scope.
static void throws(uint64_t *id)
{
    wcp::op op(WCP_KIND_CALL, "cxx.throws");
    *id = op.id();
    op.set_outcome(WCP_OUTCOME_ERROR);
    throw std::runtime_error("boom");
}

static wcp::op make_op(const char *cls)
{
    wcp::op op(WCP_KIND_EXEC, cls);
    return op; // moved out: still open, ended by the caller's object
}

int main()
{
    wcp_enable();
    uint64_t outer_id, inner_id, thrown_id = 0, moved_id, worker_id = 0, callback_id, early_id;
    wcp_op outer_handle;
    {
        wcp::op outer(WCP_KIND_SESSION_PHASE, "cxx.outer");
        outer_id = outer.id();
        outer_handle = outer.handle();
        {
            wcp_op_args a{};
            a.kind = WCP_KIND_CALL;
            a.cls = "cxx.inner";
            a.ident = "digest-1";
            a.result = 42;
            wcp::op inner(a);
            inner_id = inner.id();
            CHECK(wcp_current().id == inner_id);
            wcp::wait w(WCP_REASON_LOCK, "cxx.lock");
            wcp::wait w2 = std::move(w); // w is nil now and ends nothing
            w.end();
            inner.set_outcome(WCP_OUTCOME_HIT);
            inner.set_meta("[\"make\"]");
        }
        CHECK(wcp_current().id == outer_id);
        try {
            throws(&thrown_id);
        } catch (const std::runtime_error &) {
        }
        CHECK(wcp_current().id == outer_id);
        {
            wcp::op moved = make_op("cxx.moved");
            moved_id = moved.id();
            wcp::op other(WCP_KIND_IO, "cxx.early");
            early_id = other.id();
            other.end(WCP_OUTCOME_OK); // ends now, not again at scope end
            CHECK(wcp_current().id == moved_id);
        }
        std::thread th([&] {
            wcp::adopt in(outer_handle);
            wcp::op job(WCP_KIND_EXEC, "cxx.job");
            worker_id = job.id();
            wcp::wait w(WCP_REASON_SINGLEFLIGHT, outer_handle);
            w.end();
        });
        th.join();
        wcp_op_args cb{};
        cb.kind = WCP_KIND_CALL;
        cb.cls = "cxx.callback";
        wcp::op callback = wcp::op::in(outer_handle, cb);
        callback_id = callback.id();
        CHECK(wcp_current().id == outer_id); // begin_in leaves it alone
    }
    CHECK(wcp_current().id == 0);

    char *text = nullptr;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int n = wcp_dump_file(f, WCP_DUMP_FLUSH);
    std::fclose(f);
    dc_dump d;
    char err[512];
    if (n < 0 || dc_parse(text, len, &d, err, sizeof err) != 0) {
        std::fprintf(stderr, "dump: %d %s\n", n, n < 0 ? "" : err);
        return 1;
    }
    std::free(text);
#ifdef WCPROF_DISABLE
    CHECK(json_array_size(d.events) == 0);
    CHECK(outer_id == 0 && inner_id == 0 && worker_id == 0 && thrown_id == 0 && moved_id == 0 &&
          early_id == 0 && callback_id == 0);
    CHECK(json_object_get(d.header, "open_ops") == nullptr);
#else
    CHECK(json_array_size(d.events) == 9); // 7 ops, 2 waits
    json_t *outer = find(d, "op", "id", static_cast<json_int_t>(outer_id));
    json_t *inner = find(d, "op", "id", static_cast<json_int_t>(inner_id));
    CHECK(outer && inner);
    CHECK(dc_int(inner, "p") == static_cast<json_int_t>(outer_id));
    CHECK(std::strcmp(dc_s(inner, "o"), "hit") == 0);
    CHECK(dc_int(inner, "r") == 42);
    CHECK(std::strcmp(dc_str(&d, dc_int(inner, "i")), "digest-1") == 0);
    CHECK(std::strcmp(dc_str(&d, dc_int(inner, "m")), "[\"make\"]") == 0);
    json_t *thrown = find(d, "op", "id", static_cast<json_int_t>(thrown_id));
    CHECK(thrown && std::strcmp(dc_s(thrown, "o"), "error") == 0);
    CHECK(thrown && dc_int(thrown, "p") == static_cast<json_int_t>(outer_id));
    json_t *moved = find(d, "op", "id", static_cast<json_int_t>(moved_id));
    CHECK(moved && dc_int(moved, "p") == static_cast<json_int_t>(outer_id));
    json_t *early = find(d, "op", "id", static_cast<json_int_t>(early_id));
    CHECK(early && dc_int(early, "p") == static_cast<json_int_t>(moved_id));
    json_t *job = find(d, "op", "id", static_cast<json_int_t>(worker_id));
    CHECK(job && dc_int(job, "p") == static_cast<json_int_t>(outer_id));
    json_t *cbe = find(d, "op", "id", static_cast<json_int_t>(callback_id));
    CHECK(cbe && dc_int(cbe, "p") == static_cast<json_int_t>(outer_id));
    json_t *lock = find(d, "wait", "p", static_cast<json_int_t>(inner_id));
    CHECK(lock && std::strcmp(dc_s(lock, "rs"), "lock") == 0);
    json_t *sf = find(d, "wait", "p", static_cast<json_int_t>(worker_id));
    CHECK(sf && dc_int(sf, "t") == static_cast<json_int_t>(outer_id));
    CHECK(json_object_get(d.header, "misuse") == nullptr);
    CHECK(json_object_get(d.header, "open_ops") == nullptr);
#endif
    dc_free(&d);
    if (failures)
        return 1;
    std::puts("ok");
    return 0;
}
