/* guess.h - self time guessed while a dump streams in, to be checked later.
 *
 * An op's self time (spec/analysis.md §2) needs its children and its waits,
 * which the dump may hold anywhere. But the recorder writes an op when it
 * ends, so its children and waits usually came before it. The guesser keeps
 * the intervals seen so far under the op they belong to (a child's under its
 * recorded parent 'p', a wait's under its waiter 'p') until that op comes,
 * and guesses its self time from them. The loader inserts the guess; the
 * resolve phase computes every op's self time from the whole run anyway and
 * rewrites only the ops whose guess was wrong (a parent that comes first, a
 * reparented child, an op of an earlier dump), so a wrong guess costs one
 * UPDATE and a right one saves it.
 *
 * Likewise a wait's target: the recorded 't', or for an "exec" wait with an
 * ident and no 't' the longest exec op with that ident seen so far (§1.3).
 *
 * Memory: at most `max_spans` intervals wait at a time; when there are
 * more, all are forgotten (a few guesses get worse, none is ever wrong in
 * the database).
 */
#ifndef WCP_GUESS_H
#define WCP_GUESS_H

#include "source.h"

#include <stdint.h>

typedef struct wcp_guess wcp_guess;

/* A guesser keeping at most max_spans intervals; NULL when out of memory. */
wcp_guess *wcp_guess_new(uint32_t max_spans);
void wcp_guess_free(wcp_guess *g);

/* Takes one event in dump order: an op's interval is kept under its
 * recorded parent, a wait's under its waiter; an exec op with an ident is
 * remembered by its ident. */
void wcp_guess_seen(wcp_guess *g, const wcp_event *ev);

/* Called for the events in dump order again, some events later (the later
 * the better: the children and waits that come after an op in the dump
 * count only if they were seen by then): for an op, its guessed self time,
 * its interval minus the intervals kept for it (which are then forgotten);
 * for a wait, its guessed target op id (0: none); for a link, 0. */
int64_t wcp_guess_ready(wcp_guess *g, const wcp_event *ev);

#endif
