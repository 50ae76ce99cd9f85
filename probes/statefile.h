/* The files watch mode writes for others: keepalived's FILE_CHECK state
 * files ("0\n" up, "1\n" down) and the metrics textfile. */
#ifndef DNSPROBE_STATEFILE_H
#define DNSPROBE_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Writes data to path through a sibling path.dnsprobe-tmp and rename, so a
 * reader never sees a partial file. Returns 0 or an errno value. */
int file_write_atomic(const char *path, const char *data, size_t len);
/* What a state file says: "0" (up) or "1" (down), a newline after it
 * optional. False for anything else, which the caller treats as unknown. */
bool state_from_text(const char *text, size_t len, bool *up);
/* Reads path; false when it is missing, unreadable or not a state. */
bool state_file_read(const char *path, bool *up);

#endif
