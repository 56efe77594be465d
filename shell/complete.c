/* complete.c - tab completion: what the shell offers for a word, both to
** readline and as the table-valued function wcprof_completion(), so that it
** can be tried (and tested) in SQL:
**
**   SELECT candidate FROM wcprof_completion('.sel');          -- .selftime
**   SELECT candidate FROM wcprof_completion('b', '.mode b');  -- box
**   SELECT candidate FROM wcprof_completion('cl', 'SELECT cl'); -- class, class_id, ...
**
**   CREATE TABLE wcprof_completion(
**     candidate TEXT,
**     prefix    TEXT HIDDEN,   -- the word being completed   (idxNum bit 1)
**     wholeline TEXT HIDDEN    -- the line up to the cursor  (idxNum bit 2)
**   );
**
** What is offered: at the start of a line, dot-command names; after a
** dot-command, what its row in the command table says (file names, modes,
** on/off, command names, tables, class keys, run ids, "origins", and the
** options its usage names: "--run", "--min-self"; for .export the formats,
** a file, then the format's options); anywhere
** else, SQL keywords and the names of tables, views and their columns.
*/
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <readline/readline.h>

#include "shell.h"

/* The class keys kind:class of the database. */
#define CLASS_KEYS_SQL                                                                             \
    "SELECT DISTINCT k.value || ':' || c.value FROM ops o"                                         \
    " JOIN strings k ON k.id = o.kind JOIN strings c ON c.id = o.class_id"

typedef struct List {
    char **v; /* the strings, each malloc'd */
    int n;    /* how many */
    int cap;  /* allocated */
} List;

static void add(List *l, const char *s, size_t len)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return;
        l->v = v;
        l->cap = cap;
    }
    char *c = strndup(s, len);
    if (c)
        l->v[l->n++] = c;
}

/* Adds s if it starts with word (ignoring case when nocase). */
static void offer(List *l, const char *word, const char *s, int nocase)
{
    size_t n = strlen(word);
    if ((nocase ? strncasecmp(s, word, n) : strncmp(s, word, n)) == 0)
        add(l, s, strlen(s));
}

/* Adds the first column of each row of sql that starts with word. */
static void offer_query(ShellState *p, List *l, const char *word, const char *sql, const char *bind,
                        int nocase)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    if (bind)
        sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(st, 0);
        if (s)
            offer(l, word, s, nocase);
    }
    sqlite3_finalize(st);
}

/* The class keys that start with word. A key with white space comes
** quoted, "kind:class name", the whole word as the shell reads it (after an
** opening quote already typed, just its closing one), so that ="F" can
** follow: .whatif "kind:class name"=0.5. */
static void offer_class_keys(ShellState *p, List *l, const char *line, const char *word)
{
    size_t ll = strlen(line), wl = strlen(word);
    int opened = ll > wl && line[ll - wl - 1] == '"';
    List keys = {0};
    offer_query(p, &keys, word, CLASS_KEYS_SQL, NULL, 0);
    for (int i = 0; i < keys.n; i++) {
        const char *k = keys.v[i];
        if (!strpbrk(k, " \t")) {
            add(l, k, strlen(k));
            continue;
        }
        size_t n = strlen(k) + 3;
        char *q = malloc(n);
        if (!q)
            break;
        snprintf(q, n, opened ? "%s\"" : "\"%s\"", k);
        add(l, q, strlen(q));
        free(q);
    }
    wcp_free_list(keys.v, keys.n);
}

/* 1 if the words of line after its command hold word. */
static int has_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    line += strcspn(line, " \t");
    while (*line) {
        line += strspn(line, " \t");
        size_t len = strcspn(line, " \t");
        if (len == n && strncmp(line, word, n) == 0 && line[len])
            return 1;
        line += len;
    }
    return 0;
}

static void offer_files(List *l, const char *word)
{
    const char *slash = strrchr(word, '/');
    size_t dirlen = slash ? (size_t)(slash - word) + 1 : 0;
    const char *base = word + dirlen;
    char *dir = dirlen ? strndup(word, dirlen) : strdup(".");
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (e->d_name[0] == '.' && base[0] != '.')
            continue;
        if (strncmp(e->d_name, base, strlen(base)) != 0)
            continue;
        size_t n = dirlen + strlen(e->d_name);
        char *full = malloc(n + 1);
        if (!full)
            break;
        memcpy(full, word, dirlen);
        strcpy(full + dirlen, e->d_name);
        add(l, full, n);
        free(full);
    }
    if (d)
        closedir(d);
    free(dir);
}

static void offer_sql(ShellState *p, List *l, const char *word)
{
    const char *dot = strchr(word, '.');
    if (dot) { /* table.column */
        char *table = strndup(word, (size_t)(dot - word));
        List cols = {0};
        if (!table)
            return;
        offer_query(p, &cols, dot + 1, "SELECT name FROM pragma_table_info(?1)", table, 1);
        for (int i = 0; i < cols.n; i++) {
            size_t n = strlen(table) + 1 + strlen(cols.v[i]);
            char *s = malloc(n + 1);
            if (s) {
                snprintf(s, n + 1, "%s.%s", table, cols.v[i]);
                add(l, s, n);
                free(s);
            }
        }
        wcp_free_list(cols.v, cols.n);
        free(table);
        return;
    }
    int lower = 1;
    for (const char *c = word; *c; c++)
        if (isalpha((unsigned char)*c)) {
            lower = islower((unsigned char)*c);
            break;
        }
    for (int i = 0; i < sqlite3_keyword_count(); i++) {
        const char *kw;
        int n;
        char buf[64];
        if (sqlite3_keyword_name(i, &kw, &n) != SQLITE_OK || n >= (int)sizeof buf)
            continue;
        for (int k = 0; k < n; k++)
            buf[k] = lower ? (char)tolower((unsigned char)kw[k]) : kw[k];
        buf[n] = 0;
        offer(l, word, buf, 1);
    }
    offer_query(p, l, word, WCP_USER_TABLES_SQL, NULL, 1);
    offer_query(p, l, word,
                "SELECT DISTINCT c.name FROM sqlite_schema s, pragma_table_info(s.name) c "
                "WHERE s.type IN ('table','view')",
                NULL, 1);
    offer_query(p, l, word,
                "SELECT name FROM pragma_module_list WHERE name LIKE 'wcprof\\_%' ESCAPE '\\'",
                NULL, 1);
}

/* Adds each "--option" that the usage text names ("?--run N?"). */
static void offer_options(List *l, const char *word, const char *usage)
{
    for (const char *u = strstr(usage, "--"); u; u = strstr(u + 2, "--")) {
        size_t n = strcspn(u, " ?|=");
        char opt[32];
        snprintf(opt, sizeof opt, "%.*s", (int)(n < sizeof opt ? n : sizeof opt - 1), u);
        offer(l, word, opt, 0);
    }
}

/* Adds the export formats that start with word (fmt NULL), or the options of
** the format fmt, as --NAME: both from export_formats() (export_cmd.c). */
static void offer_formats(ShellState *p, List *l, const char *word, const char *fmt)
{
    sqlite3_stmt *st = export_formats(p);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *o = (const char *)sqlite3_column_text(st, 2);
        if (!name)
            continue;
        if (!fmt) {
            offer(l, word, name, 0);
            continue;
        }
        if (strcmp(name, fmt) != 0 || !o)
            continue;
        while (*o) { /* "--a --b" */
            size_t len = strcspn(o, " ");
            char opt[64];
            snprintf(opt, sizeof opt, "%.*s", (int)(len < 63 ? len : 63), o);
            offer(l, word, opt, 0);
            o += len + (o[len] == ' ');
        }
    }
    sqlite3_finalize(st);
}

/* .export's arguments (args: the line after the command): FORMAT, from the
** extension's list; FILE; then "--run" and the format's options as --NAME
** (underscores as dashes), class keys after --whatif, run ids after --run.
** Returns what kind of words it offered. */
static enum wcp_args offer_export(ShellState *p, List *l, const char *args, const char *word)
{
    char fmt[64] = "", last[64] = "";
    int n = 0;
    for (const char *a = args + strspn(args, " \t"); *a; a += strspn(a, " \t")) {
        size_t len = strcspn(a, " \t");
        if (a[len] == 0)
            break; /* the word being completed */
        if (n == 0)
            snprintf(fmt, sizeof fmt, "%.*s", (int)len, a);
        if (strncmp(a, "--", 2) == 0)
            snprintf(last, sizeof last, "%.*s", (int)len, a);
        n++;
        a += len;
    }
    if (strncmp(word, "--", 2) == 0) {
        offer(l, word, "--run", 0);
        offer_formats(p, l, word, fmt);
        return ARGS_EXPORT;
    }
    if (n == 0) {
        offer_formats(p, l, word, NULL);
        return ARGS_EXPORT;
    }
    if (n == 1) {
        offer_files(l, word);
        return ARGS_FILE;
    }
    if (strcmp(last, "--whatif") == 0) {
        offer_class_keys(p, l, args, word);
        return ARGS_CLASSKEY;
    }
    if (strcmp(last, "--run") == 0)
        offer_query(p, l, word, "SELECT id FROM runs", NULL, 0);
    return ARGS_EXPORT;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void wcp_free_list(char **list, int n)
{
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Fills *out with the candidates for word at the end of line (see the file
** header). Never fails: out of memory just offers less. */
enum wcp_args wcp_complete(ShellState *p, const char *line, const char *word, char ***out, int *n)
{
    List l = {0};
    enum wcp_args kind = ARGS_SQL;
    const char *t = line;
    while (*t == ' ' || *t == '\t')
        t++;
    if (!p->sql_pending && *t == '.') {
        size_t cmdlen = strcspn(t, " \t");
        if (t[cmdlen] == 0) { /* the command name itself */
            kind = ARGS_COMMAND;
            for (const DotCmd *d = wcp_dot_cmds; d->name; d++) {
                char name[64];
                snprintf(name, sizeof name, ".%s", d->name);
                offer(&l, word, name, 0);
            }
        } else {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(cmdlen - 1 < 63 ? cmdlen - 1 : 63), t + 1);
            const DotCmd *c = find_dot_cmd(name, NULL);
            kind = c ? c->args : ARGS_NONE;
            if (kind == ARGS_EXPORT)
                kind = offer_export(p, &l, t + cmdlen, word);
            else if (c && strncmp(word, "--", 2) == 0)
                offer_options(&l, word, c->usage);
            else if (kind == ARGS_FILE)
                offer_files(&l, word);
            else if (kind == ARGS_MODE)
                for (enum wcp_mode m = MODE_TABLE; m < WCP_NMODES; m++)
                    offer(&l, word, wcp_mode_name(m), 0);
            else if (kind == ARGS_ONOFF) {
                offer(&l, word, "on", 0);
                offer(&l, word, "off", 0);
            } else if (kind == ARGS_COMMAND)
                for (const DotCmd *d = wcp_dot_cmds; d->name; d++)
                    offer(&l, word, d->name, 0);
            else if (kind == ARGS_TABLE)
                offer_query(p, &l, word, WCP_USER_TABLES_SQL, NULL, 0);
            else if (kind == ARGS_CLASSKEY)
                offer_class_keys(p, &l, line, word);
            else if (kind == ARGS_DRIFT && !has_word(t, "origins")) /* once */
                offer(&l, word, "origins", 0);
            else if (kind == ARGS_RUN)
                offer_query(p, &l, word, "SELECT id FROM runs UNION ALL SELECT 'latest'", NULL, 0);
        }
    } else {
        offer_sql(p, &l, word);
    }
    if (l.n > 1) {
        int k = 0;
        qsort(l.v, (size_t)l.n, sizeof *l.v, cmp);
        for (int i = 0; i < l.n; i++) {
            if (k > 0 && strcmp(l.v[k - 1], l.v[i]) == 0)
                free(l.v[i]);
            else
                l.v[k++] = l.v[i];
        }
        l.n = k;
    }
    *out = l.v;
    *n = l.n;
    return kind;
}

/* ---- wcprof_completion(prefix, wholeline), shaped like sqlite's series.c */

typedef struct CompVtab {
    sqlite3_vtab base; /* Base class - must be first */
    ShellState *p;     /* the shell whose state decides what is offered */
} CompVtab;

typedef struct CompCursor {
    sqlite3_vtab_cursor base; /* Base class - must be first */
    char **list;              /* the candidates */
    int n;                    /* how many */
    int i;                    /* the current one */
    char *prefix;             /* the arguments, for the HIDDEN columns */
    char *line;
} CompCursor;

static int comp_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **vt, char **err)
{
    (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(
        db, "CREATE TABLE x(candidate TEXT, prefix TEXT HIDDEN, wholeline TEXT HIDDEN)");
    if (rc != SQLITE_OK)
        return rc;
    CompVtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->p = aux;
    *vt = &v->base;
    return SQLITE_OK;
}

static int comp_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

static int comp_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
    (void)vt;
    CompCursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *cur = &c->base;
    return SQLITE_OK;
}

static void comp_reset(CompCursor *c)
{
    wcp_free_list(c->list, c->n);
    free(c->prefix);
    free(c->line);
    c->list = NULL;
    c->prefix = c->line = NULL;
    c->n = c->i = 0;
}

static int comp_close(sqlite3_vtab_cursor *cur)
{
    comp_reset((CompCursor *)cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int comp_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                       sqlite3_value **argv)
{
    CompCursor *c = (CompCursor *)cur;
    ShellState *p = ((CompVtab *)cur->pVtab)->p;
    int i = 0;
    (void)idxStr, (void)argc;
    comp_reset(c);
    const char *prefix = "", *line = NULL;
    if ((idxNum & 1) && sqlite3_value_text(argv[i]))
        prefix = (const char *)sqlite3_value_text(argv[i]);
    if (idxNum & 1)
        i++;
    if ((idxNum & 2) && sqlite3_value_text(argv[i]))
        line = (const char *)sqlite3_value_text(argv[i]);
    c->prefix = strdup(prefix);
    c->line = strdup(line ? line : prefix);
    if (!c->prefix || !c->line)
        return SQLITE_NOMEM;
    /* The statement running this is itself "pending SQL": completion of the
  ** line asked about must not see that. */
    int pending = p->sql_pending;
    p->sql_pending = 0;
    wcp_complete(p, c->line, c->prefix, &c->list, &c->n);
    p->sql_pending = pending;
    return SQLITE_OK;
}

static int comp_next(sqlite3_vtab_cursor *cur)
{
    ((CompCursor *)cur)->i++;
    return SQLITE_OK;
}

static int comp_eof(sqlite3_vtab_cursor *cur)
{
    CompCursor *c = (CompCursor *)cur;
    return c->i >= c->n;
}

static int comp_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    CompCursor *c = (CompCursor *)cur;
    const char *s = col == 0 ? c->list[c->i] : col == 1 ? c->prefix : c->line;
    sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
    return SQLITE_OK;
}

static int comp_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *rowid)
{
    *rowid = ((CompCursor *)cur)->i + 1;
    return SQLITE_OK;
}

static int comp_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    int prefix = -1, line = -1, n = 0;
    (void)vt;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *k = &info->aConstraint[i];
        if (k->op != SQLITE_INDEX_CONSTRAINT_EQ)
            continue;
        if (!k->usable)
            return SQLITE_CONSTRAINT; /* an argument we cannot have yet: another plan */
        if (k->iColumn == 1)
            prefix = i;
        else if (k->iColumn == 2)
            line = i;
    }
    info->idxNum = 0;
    if (prefix >= 0) {
        info->aConstraintUsage[prefix].argvIndex = ++n;
        info->aConstraintUsage[prefix].omit = 1;
        info->idxNum |= 1;
    }
    if (line >= 0) {
        info->aConstraintUsage[line].argvIndex = ++n;
        info->aConstraintUsage[line].omit = 1;
        info->idxNum |= 2;
    }
    info->estimatedCost = 1000.0;
    info->estimatedRows = 100;
    return SQLITE_OK;
}

static sqlite3_module comp_module = {
    .iVersion = 0,
    .xCreate = NULL, /* eponymous only: no CREATE VIRTUAL TABLE */
    .xConnect = comp_connect,
    .xBestIndex = comp_best_index,
    .xDisconnect = comp_disconnect,
    .xOpen = comp_open,
    .xClose = comp_close,
    .xFilter = comp_filter,
    .xNext = comp_next,
    .xEof = comp_eof,
    .xColumn = comp_column,
    .xRowid = comp_rowid,
};

int wcp_completion_register(ShellState *p)
{
    return sqlite3_create_module(p->db, "wcprof_completion", &comp_module, p);
}

/* ---- readline */

static ShellState *g_shell; /* readline's callbacks take no context */
static char **g_list;       /* the candidates rl_complete() found */
static int g_n, g_next;

static char *generator(const char *text, int state)
{
    (void)text;
    if (state == 0)
        g_next = 0;
    return g_next < g_n ? strdup(g_list[g_next++]) : NULL;
}

static char **shell_rl_complete(const char *text, int start, int end)
{
    char **matches;
    char *line = strndup(rl_line_buffer, (size_t)end);
    enum wcp_args kind;
    (void)start;
    rl_attempted_completion_over = 1; /* no readline file names in SQL */
    if (!line)
        return NULL;
    kind = wcp_complete(g_shell, line, text, &g_list, &g_n);
    free(line);
    if (kind == ARGS_FILE)
        rl_filename_completion_desired = 1;
    else if (kind == ARGS_CLASSKEY) /* nothing after a key: "=F" is typed next */
        rl_completion_append_character = '\0';
    matches = g_n ? rl_completion_matches(text, generator) : NULL;
    wcp_free_list(g_list, g_n);
    g_list = NULL;
    g_n = 0;
    return matches;
}

void wcp_readline_init(ShellState *p)
{
    g_shell = p;
    rl_readline_name = "wcprof";
    rl_attempted_completion_function = shell_rl_complete;
    rl_completer_word_break_characters = " \t\n\"'`=;,()<>|&";
    rl_catch_signals = 0; /* input.c handles SIGINT and SIGWINCH */
    rl_catch_sigwinch = 0;
    rl_change_environment = 0; /* keep LINES and COLUMNS out of the environment */
}
