/* Running the build's tools: fork/exec with argv arrays, never a shell. */
#ifndef LVSDNS_BIND_RUN_H
#define LVSDNS_BIND_RUN_H

#include <stdbool.h>
#include <stdio.h>

#include "buf.h"

/* Runs argv (argv[0] searched in PATH) in cwd (NULL: here) with extra
 * environment entries "NAME=VALUE" (NULL-terminated, may be NULL). Output
 * and errors go to logfd, or to /dev/null when logfd is -1. Returns the exit
 * status, 128+signal when killed, 127 when it could not be started. */
int run_cmd(char *const argv[], const char *cwd, char *const env[], int logfd);
/* The same, collecting output and errors in out. */
int run_capture(char *const argv[], const char *cwd, char *const env[], struct buf *out);
/* Is name an executable in PATH (or a path to one)? */
bool have_program(const char *name);
/* Copies the last `lines` lines of the file at path to `to`. */
void show_tail(const char *path, int lines, FILE *to);
/* argv as one readable line, each element quoted when it needs it. */
void argv_line(char *const argv[], struct buf *out);

#endif
