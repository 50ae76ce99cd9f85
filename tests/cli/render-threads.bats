#!/usr/bin/env bats
# cluster-gen render -j under ThreadSanitizer (build/tsan/cluster-gen, built
# by make check): the threads rendering real servers share the site model,
# the templates' override directory and the output tree.

setup() {
  TSAN_GEN=build/tsan/cluster-gen
  [ -x "$TSAN_GEN" ] || { echo "missing $TSAN_GEN: run make check" >&2; return 1; }
  TMP=$(mktemp -d)
  # Debian 12's TSan cannot map its shadow memory under the larger address
  # randomisation of newer kernels; without ASLR it always can.
  NOASLR=(setarch "$(uname -m)" -R)
  export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
}

teardown() {
  rm -rf "$TMP"
}

@test "render -j 4 has no data race and writes what -j 1 writes" {
  tests/gen-site 1000 > "$TMP/site.conf"
  build/rel/cluster-gen render -j 1 "$TMP/site.conf" -o "$TMP/one"
  run "${NOASLR[@]}" "$TSAN_GEN" render -j 4 "$TMP/site.conf" -o "$TMP/four"
  echo "$output"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  diff -r "$TMP/one" "$TMP/four"
}

@test "render -j 4 with template overrides and a failing share has no data race" {
  # host000400 fails in its share: an rndc port, which the overridden
  # named.conf template cannot render (the site itself is valid): it
  # interpolates a list there
  tests/gen-site 1000 | sed '/realserver host000400 {/,/^  }/s/instance a {/instance a { control-port = 9530/' > "$TMP/site.conf"
  grep -q 'control-port = 9530' "$TMP/site.conf"
  build/rel/cluster-gen check "$TMP/site.conf"
  mkdir "$TMP/tpl"
  cp templates/sysctl.conf.mustache "$TMP/tpl/"
  echo "# overridden" >> "$TMP/tpl/sysctl.conf.mustache"
  sed 's/{{#control_port}}/&{{acl}}/' templates/named.conf.mustache > "$TMP/tpl/named.conf.mustache"
  grep -q '{{#control_port}}{{acl}}' "$TMP/tpl/named.conf.mustache"
  run "${NOASLR[@]}" "$TSAN_GEN" render -j 4 -t "$TMP/tpl" "$TMP/site.conf" -o "$TMP/out"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == "cluster-gen: $TMP/tpl/named.conf.mustache:"*": 'acl' is a list, not a string"* ]]
  [[ "$output" != *ThreadSanitizer* ]]
  [ ! -e "$TMP/out" ]
}
