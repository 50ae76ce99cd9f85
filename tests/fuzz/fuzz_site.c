/* libFuzzer target: any text as a site file goes through the parser, the
 * validator and, when it is valid, every renderer (into memory). Whatever
 * the text: no crash, no sanitizer report, no leak of ours; a bad file
 * only ever ends in messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "parse.h"
#include "render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct diags d;
	struct site s;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	diags_init(&d, "fuzz.conf");
	if (site_load_text("fuzz.conf", text, size, &s, &d) == 0) {
		struct templates *t = templates_new(NULL);
		struct files f;
		struct buf err;

		files_init(&f);
		buf_init(&err);
		render_site(&s, t, &f, &err);
		files_free(&f);
		buf_free(&err);
		templates_free(t);
		site_free(&s);
	}
	diags_free(&d);
	return 0;
}
