/* pipe.h - the parsing thread's side of the reader's calls (pipe.c); the
 * thread is started with wcp_reader_start_thread() (source.h). */
#ifndef WCP_PIPE_H
#define WCP_PIPE_H

#include "source.h"

/* wcp_reader_next() once r->pipe is set: the next event of the current
 * batch, waiting for the thread when there is none. Same results. */
int wcp_pipe_next(wcp_reader *r, wcp_event *ev);

/* Stops r's thread, if any, and frees what it holds (its copy of the
 * reader included). Can't fail. */
void wcp_pipe_stop(wcp_reader *r);

#endif
