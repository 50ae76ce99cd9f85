LIB_SRCS := lib/buf.c lib/addr.c lib/diag.c lib/outtree.c lib/parallel.c
