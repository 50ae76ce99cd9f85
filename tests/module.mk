# Unit tests that belong to no single program folder.
UNIT_TESTS += test_template
test_template_SRCS := tests/unit/test_template.c cluster-gen/template.c cluster-gen/template_render.c cluster-gen/template_ctx.c $(LIB_SRCS)
test_template_LIBS := -lcmocka
UNIT_TESTS += test_template_errors
test_template_errors_SRCS := tests/unit/test_template_errors.c cluster-gen/template.c cluster-gen/template_render.c cluster-gen/template_ctx.c $(LIB_SRCS)
test_template_errors_LIBS := -lcmocka
UNIT_TESTS += test_template_override
test_template_override_SRCS := tests/unit/test_template_override.c cluster-gen/template.c cluster-gen/template_render.c cluster-gen/template_ctx.c $(LIB_SRCS)
test_template_override_LIBS := -lcmocka

UNIT_TESTS += test_site_text
test_site_text_SRCS := tests/unit/test_site_text.c cluster-gen/site_text.c cluster-gen/site_lex.c $(LIB_SRCS)
test_site_text_LIBS := -lcmocka

UNIT_TESTS += test_site_walk
test_site_walk_SRCS := tests/unit/test_site_walk.c cluster-gen/site_walk.c cluster-gen/site_walk_read.c cluster-gen/site_walk_value.c cluster-gen/site_lex.c cluster-gen/site_hint.c cluster-gen/spelling.c cluster-gen/schema.c bind-build/bind_table.c $(LIB_SRCS)
test_site_walk_LIBS := -lcmocka -lconfuse

UNIT_TESTS += test_site_repair
test_site_repair_SRCS := tests/unit/test_site_repair.c cluster-gen/site_repair.c cluster-gen/site_walk.c cluster-gen/site_walk_read.c cluster-gen/site_walk_value.c cluster-gen/site_lex.c cluster-gen/site_hint.c cluster-gen/spelling.c cluster-gen/schema.c bind-build/bind_table.c $(LIB_SRCS)
test_site_repair_LIBS := -lcmocka -lconfuse

UNIT_TESTS += test_spelling
test_spelling_SRCS := tests/unit/test_spelling.c cluster-gen/spelling.c
test_spelling_LIBS := -lcmocka

UNIT_TESTS += test_validate_names
test_validate_names_SRCS := tests/unit/test_validate_names.c cluster-gen/validate_names.c $(LIB_SRCS)
test_validate_names_LIBS := -lcmocka
