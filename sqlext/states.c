/* states.c - the utilization functions' blocked argument (states.h). */
#include "states.h"

#include <stdlib.h>
#include <string.h>

int wcp_call_states(wcp_call *c, int i, wcp_state **out, size_t *n_out, bool *all)
{
    const char *arg = wcp_arg_text(c, i);
    wcp_state *sel = NULL;
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    *all = !arg;
    if (arg) {
        size_t most = 1;
        for (const char *p = arg; *p; p++)
            most += *p == ',';
        sel = malloc(most * sizeof *sel);
        char *copy = strdup(arg);
        if (!sel || !copy) {
            free(sel);
            free(copy);
            return wcp_fail(c, "out of memory");
        }
        for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            wcp_bd_what what;
            if (strncmp(tok, "wait:", 5) == 0)
                what = WCP_BD_WAIT;
            else if (strncmp(tok, "lock:", 5) == 0)
                what = WCP_BD_LOCK;
            else {
                wcp_fail(c, "blocked: \"%s\" is not a waiting state (wait:REASON or lock:RESOURCE)",
                         tok);
                free(copy);
                free(sel);
                return -1;
            }
            int64_t id = wcp_db_string_id(c->db, tok + 5);
            if (id > 0)
                sel[n++] = (wcp_state){what, (uint32_t)id};
        }
        free(copy);
    }
    *out = sel;
    *n_out = n;
    return 0;
}

int wcp_call_util(wcp_call *c, int i, wcp_util *u)
{
    wcp_state *sel;
    size_t n;
    bool all;
    if (wcp_call_states(c, i, &sel, &n, &all) < 0)
        return -1;
    /* a list naming nothing the run has blocks nothing: an empty selection */
    wcp_state none;
    int rc = wcp_util_build(&c->model->g, all ? NULL : sel ? sel : &none, n, c->stop, u);
    free(sel);
    if (rc < 0)
        return wcp_fail(c, rc == -2 ? "interrupted" : "out of memory");
    return 0;
}
