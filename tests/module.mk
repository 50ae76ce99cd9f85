# Unit tests that belong to no single program folder.
UNIT_TESTS += test_template
test_template_SRCS := tests/unit/test_template.c cluster-gen/template.c cluster-gen/template_ctx.c $(LIB_SRCS)
test_template_LIBS := -lcmocka
