# Synthetic BIND source trees shaped like each era (written here, not copied
# from BIND), for tests/cli/bind-build.bats. Each function takes a directory.

put() { # put DIR REL TEXT
  mkdir -p "$(dirname "$1/$2")"
  printf '%b' "$3" >"$1/$2"
}

mem_guard() { # DEFAULT
  printf '#ifndef ISC_MEM_USE_INTERNAL_MALLOC\n#define ISC_MEM_USE_INTERNAL_MALLOC %s\n#endif\n' "$1"
}

# Where the tree's install puts named-checkconf (bin from BIND 9.17.2 on);
# the fake installs below read it.
checkconf_dir() { # DIR sbin|bin
  put "$1" checkconf.dir "$2\n"
}

version_file() { # DIR MAJ MIN PATCH [TYPE VER]
  put "$1" version "MAJORVER=$2\nMINORVER=$3\nPATCHVER=$4\nRELEASETYPE=${5:-}\nRELEASEVER=${6:-}\n"
}

tree_9_3() {
  checkconf_dir "$1" sbin
  version_file "$1" 9 3 6 -P 1
  put "$1" configure.in 'AC_INIT(lib/dns/name.c)\nAC_ARG_ENABLE(threads,\n[  --enable-threads  enable multithreading])\n'
  mem_guard 0 >"$1/lib-isc-mem.c.tmp"; mkdir -p "$1/lib/isc"; mv "$1/lib-isc-mem.c.tmp" "$1/lib/isc/mem.c"
}

tree_9_9() {
  checkconf_dir "$1" sbin
  version_file "$1" 9 9 13
  put "$1" configure.in 'AC_INIT(lib/dns/name.c)\nAC_ARG_ENABLE(threads,\n\t[  --enable-threads  enable multithreading])\n'
  mkdir -p "$1/lib/isc/include/isc"; mem_guard 1 >"$1/lib/isc/include/isc/mem.h"
}

tree_9_11() {
  checkconf_dir "$1" sbin
  version_file "$1" 9 11 37
  put "$1" configure.in 'AC_INIT(BIND, [9.11], [info@isc.org], [], [https://www.isc.org/])\nsinclude(config.threads.in)dnl\n'
  put "$1" config.threads.in 'AC_ARG_ENABLE(threads,\n\tAS_HELP_STRING([--enable-threads], [enable multithreading]))\n'
  mkdir -p "$1/lib/isc/include/isc"; mem_guard 1 >"$1/lib/isc/include/isc/mem.h"
}

tree_9_16_30() {
  checkconf_dir "$1" sbin
  version_file "$1" 9 16 30
  put "$1" configure.ac 'AC_INIT(BIND, [9.16], [info@isc.org], [], [https://www.isc.org/])\nAC_CHECK_HEADERS([threads.h])\n'
  put "$1" config.threads.in 'AC_ARG_ENABLE(threads, [  --enable-threads])\n'
  mkdir -p "$1/lib/isc/include/isc"; mem_guard 0 >"$1/lib/isc/include/isc/mem.h"
  put "$1" bin/named/main.c 'static struct flag_def f[] = {\n\t{ "internal", ISC_MEMFLAG_INTERNAL, false },\n};\n'
}

tree_9_18() {
  checkconf_dir "$1" bin
  put "$1" configure.ac 'm4_define([bind_VERSION_MAJOR], 9)dnl\nm4_define([bind_VERSION_MINOR], 18)dnl\nm4_define([bind_VERSION_PATCH], 49)dnl\nAC_INIT([BIND], bind_PKG_VERSION, [https://example.invalid/])\nAC_ARG_ENABLE([pthread_rwlock])\nAC_ARG_WITH([jemalloc],\n  [AS_HELP_STRING([--with-jemalloc=detect])])\nPKG_CHECK_MODULES([LIBUV], [libuv >= 1.37.0])\n'
  put "$1" lib/isc/include/isc/mem.h '#else /* if !ISC_MEM_USE_INTERNAL_MALLOC */\n'
}

tree_9_21() {
  checkconf_dir "$1" bin
  put "$1" meson.build "project(\n  'bind',\n  ['c'],\n  version: '9.21.10',\n  meson_version: '>=0.61',\n)\n"
  put "$1" meson.options "option('jemalloc', type: 'feature', value: 'auto')\n"
}

# A stand-in for autoconf's configure: remembers its arguments the way named -V
# shows them ("built by make with '--prefix=...' ...", a CFLAGS from the
# environment last; with a file autoconf-2.13 in the tree, non-option
# arguments are dropped as 2.13 does), writes a Makefile
# whose `all` runs CHECK (a shell command) and whose `install` puts a fake
# named printing that line into $(DESTDIR)PREFIX/sbin, and a fake
# named-checkconf where checkconf.dir says.
fake_configure() { # DIR [CHECK]
  cat >"$1/configure" <<'SH'
#!/bin/sh
prefix=/usr/local args=
for a in "$@"; do
  case $a in --prefix=*) prefix=${a#--prefix=} ;; esac
  # autoconf 2.13 (BIND 9.2.0-9.2.1) takes a non-option for the host type.
  case $a in -*) ;; *) [ -e autoconf-2.13 ] && { echo "host type $a ignored"; continue; } ;; esac
  args="$args '$a'"
done
# Like autoconf 2.52 and later, record a CFLAGS from the environment.
[ -z "${CFLAGS+set}" ] || args="$args 'CFLAGS=$CFLAGS'"
echo "checking whether this is a fake configure... yes"
{ echo '#!/bin/sh'; cat reject.sh 2>/dev/null; echo 'echo "BIND 9 (fake)"'; printf 'echo "built by make with%s"\n' "$args"; } >fake-named
cc=$prefix/$(cat checkconf.dir 2>/dev/null || echo sbin)
printf 'all:\n\t%s\n\techo compiled >compiled\ninstall:\n\tmkdir -p $(DESTDIR)%s/sbin $(DESTDIR)%s\n\tcp fake-named $(DESTDIR)%s/sbin/named\n\tchmod +x $(DESTDIR)%s/sbin/named\n\tprintf "#!/bin/sh\\n" >$(DESTDIR)%s/named-checkconf\n\tchmod +x $(DESTDIR)%s/named-checkconf\n' \
  "$(cat check.cmd)" "$prefix" "$cc" "$prefix" "$prefix" "$cc" "$cc" >Makefile
SH
  chmod +x "$1/configure"
  printf '%s\n' "${2:-true}" >"$1/check.cmd"
}

# Stand-ins for meson and ninja in DIR/bin: `meson setup` records its
# arguments, `meson install` installs a fake named that shows them (or,
# with FAKE_MESON_UNPROBED set, "unprobed" as BIND 9.21.10-9.21.14 do with
# meson < 1.1.0; FAKE_JEMALLOC adds named -V's jemalloc line);
# `meson --version` says FAKE_MESON_VERSION (default 1.0.1, Debian 12's).
fake_meson() { # DIR
  mkdir -p "$1/bin"
  cat >"$1/bin/meson" <<'SH'
#!/bin/sh
case $1 in
  --version) echo "${FAKE_MESON_VERSION:-1.0.1}" ;;
  setup)
    shift; echo "$*" >meson.args
    shown=${FAKE_MESON_UNPROBED:+unprobed}
    printf '#!/bin/sh\necho "BIND 9.21 (fake)"\necho "built by meson with %s"\n' "${shown:-$*}" >fake-named
    [ -z "${FAKE_JEMALLOC:-}" ] || echo 'echo "compiled with jemalloc version: 5.3.0"' >>fake-named ;;
  install)
    prefix=$(sed -n 's/.*--prefix=\([^ ]*\).*/\1/p' meson.args)
    mkdir -p "$DESTDIR$prefix/sbin" "$DESTDIR$prefix/bin" && cp fake-named "$DESTDIR$prefix/sbin/named" &&
      chmod +x "$DESTDIR$prefix/sbin/named" && printf '#!/bin/sh\n' >"$DESTDIR$prefix/bin/named-checkconf" &&
      chmod +x "$DESTDIR$prefix/bin/named-checkconf" ;;
  *) exit 1 ;;
esac
SH
  printf '#!/bin/sh\necho "ninja $*" >ninja.args\n' >"$1/bin/ninja"
  chmod +x "$1/bin/meson" "$1/bin/ninja"
}
