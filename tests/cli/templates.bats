#!/usr/bin/env bats
# cluster-gen --templates: overrides of built-in templates by name, and the ones
# refused (unknown names, variables, sections) with nothing written.

load cluster-gen-lib.bash

@test "--templates overrides a built-in template by name" {
  mkdir "$TMP/tpl"
  printf '! custom {{balancer}}\n' > "$TMP/tpl/keepalived.conf.mustache"
  "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$(cat "$TMP/out/balancers/ffm4/keepalived.conf")" = "! custom ffm4" ]
}

@test "--templates with a file that overrides no built-in template, or a directory that is not there, fails and writes nothing" {
  mkdir "$TMP/tpl"
  printf 'x\n' > "$TMP/tpl/keepalived-probe-dropin.mustache"   # renamed in an upgrade
  printf 'x\n' > "$TMP/tpl/README"                               # not a template: ignored
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [ "$output" = "cluster-gen: $TMP/tpl/keepalived-probe-dropin.mustache: no built-in template is named so, and an override of no template is never used (renamed in an upgrade? the built-in ones are in share/lvsdns/templates/); $TMP/out left as it was" ]
  [ ! -e "$TMP/out" ]
  # a misspelt suffix, or a name a couple of edits from a built-in's, is meant as an override too
  rm "$TMP/tpl/keepalived-probe-dropin.mustache"
  printf 'x\n' > "$TMP/tpl/named.conf.mustach"
  printf 'x\n' > "$TMP/tpl/frr.cnf.mustache"
  printf 'x\n' > "$TMP/tpl/keepalived.conf.mustache.orig"          # a copy kept: not meant
  printf 'x\n' > "$TMP/tpl/vips.mustache.1"                         # nor these
  printf 'x\n' > "$TMP/tpl/vips.mustache~"
  printf 'x\n' > "$TMP/tpl/#vips.mustache#"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [ "$output" = "cluster-gen: $TMP/tpl/frr.cnf.mustache (did you mean frr.conf.mustache?), $TMP/tpl/named.conf.mustach (did you mean named.conf.mustache?): no built-in template is named so, and an override of no template is never used (renamed in an upgrade? the built-in ones are in share/lvsdns/templates/); $TMP/out left as it was" ]
  [ ! -e "$TMP/out" ]
  rm "$TMP/tpl/named.conf.mustach" "$TMP/tpl/frr.cnf.mustache"
  printf 'x\n' > "$TMP/tpl/keepalived-probe-dropin.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/no-such-dir"
  [ "$status" -eq 1 ]
  [[ "$output" == *"--templates $TMP/no-such-dir: No such file or directory"* ]]
  [ ! -e "$TMP/out" ]
  run "$GEN" diff site.conf.example "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 2 ]
  [[ "$output" == *"keepalived-probe-dropin.mustache: no built-in template is named so"* ]]
  run "$GEN" check site.conf.example --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [[ "$output" == *"keepalived-probe-dropin.mustache: no built-in template is named so"* ]]
  # and whatever else render would refuse: an unknown variable
  mkdir "$TMP/tpl3"
  printf '{{vpi}}\n' > "$TMP/tpl3/keepalived.conf.mustache"
  run "$GEN" check site.conf.example --templates "$TMP/tpl3"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$TMP/tpl3/keepalived.conf.mustache:1: unknown variable 'vpi'"* ]]
  # editors' files are not templates; a link to nothing under a template's name is refused
  rm "$TMP/tpl/keepalived-probe-dropin.mustache"
  printf 'x\n' > "$TMP/tpl/.#frr.conf.mustache"
  "$GEN" check site.conf.example --templates "$TMP/tpl"
  ln -s "$TMP/nothing" "$TMP/tpl/frr.conf.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$TMP/tpl/frr.conf.mustache: a symbolic link to nothing"* ]]
  [ ! -e "$TMP/out" ]
}

@test "every override that does not compile is named in one run, before anything is written" {
  mkdir "$TMP/tpl"
  printf '{{#a}}x{{/b}}\n' > "$TMP/tpl/vips.mustache"
  printf 'ok\n{{#x}}\n' > "$TMP/tpl/frr.conf.mustache"
  # one the site does not render (probe mode: no targets file) is read too
  printf '{{ x\n' > "$TMP/tpl/dnsprobe.targets.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "cluster-gen: 3 templates are wrong:" ]
  [ "${lines[1]}" = "  $TMP/tpl/dnsprobe.targets.mustache:1: unclosed tag: '{{' without a closing '}}'" ]
  [ "${lines[2]}" = "  $TMP/tpl/frr.conf.mustache:2: unclosed section '{{#x}}'" ]
  [ "${lines[3]}" = "  $TMP/tpl/vips.mustache:1: closing tag '{{/b}}' does not match '{{#a}}' opened on line 1; $TMP/out left as it was" ]
  [ ! -e "$TMP/out" ]
  # one alone is said on one line, as before
  rm "$TMP/tpl/vips.mustache" "$TMP/tpl/dnsprobe.targets.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [ "$output" = "cluster-gen: $TMP/tpl/frr.conf.mustache:2: unclosed section '{{#x}}'; $TMP/out left as it was" ]
}

@test "an override with an unknown variable fails and writes nothing" {
  mkdir "$TMP/tpl"
  printf '{{no_such_thing}}\n' > "$TMP/tpl/keepalived.conf.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  [ "$status" -eq 1 ]
  [[ "$output" == *"unknown variable 'no_such_thing'"* ]]
  [ ! -e "$TMP/out" ]
}

@test "an override is checked in the sections a site leaves out, against its built-in template" {
  # copies of every built-in template, as overrides, render every golden site as the built-ins do
  mkdir "$TMP/copies"
  cp templates/*.mustache "$TMP/copies/"
  for site in site.conf.example tests/golden/*/site.conf; do
    "$GEN" render "$site" -o "$TMP/builtin"
    "$GEN" render "$site" -o "$TMP/copied" --templates "$TMP/copies"
    diff -r "$TMP/builtin" "$TMP/copied"
    rm -rf "$TMP/builtin" "$TMP/copied"
  done
  # a site without BFD leaves out frr.conf's bfd sections
  sed 's/^\(\s*\)bfd = true/\1bfd = false/' site.conf.example > "$TMP/nobfd.conf"
  ! grep -q 'bfd = true' "$TMP/nobfd.conf"
  mkdir "$TMP/tpl"
  sed 's/detect-multiplier {{bfd_multiplier}}/detect-multiplier {{bfd_multiplyer}}/' \
    templates/frr.conf.mustache > "$TMP/tpl/frr.conf.mustache"
  line=$(grep -n 'bfd_multiplyer' "$TMP/tpl/frr.conf.mustache" | cut -d: -f1)
  for cmd in "render $TMP/nobfd.conf -o $TMP/out" "check $TMP/nobfd.conf"; do
    run "$GEN" $cmd --templates "$TMP/tpl"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"$TMP/tpl/frr.conf.mustache:$line: unknown variable 'bfd_multiplyer' in a section this site leaves out (the built-in template has none there)"* ]]
  done
  [ ! -e "$TMP/out" ]
  # a misspelt section would never render: refused wherever it stands
  sed '0,/{{#bfd}}/s//{{#bdf}}/; 0,/{{\/bfd}}/s//{{\/bdf}}/' templates/frr.conf.mustache > "$TMP/tpl/frr.conf.mustache"
  run "$GEN" check site.conf.example --templates "$TMP/tpl"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"frr.conf.mustache:"*": unknown section 'bdf': the renderer gives none there and the built-in template uses none there, so it would never render"* ]]
}

@test "an override of a template the site does not render is held to its built-in template as a whole" {
  grep -q '^\s*checker = probe' site.conf.example   # no dnsprobe.targets rendered
  mkdir "$TMP/tpl"
  sed 's/{{interval_ms}}/{{intervall_ms}}/' templates/dnsprobe.targets.mustache \
    > "$TMP/tpl/dnsprobe.targets.mustache"
  line=$(grep -n 'intervall_ms' "$TMP/tpl/dnsprobe.targets.mustache" | cut -d: -f1)
  # (diff's 1 means "differs": its errors are 2)
  for cmd in "1 render site.conf.example -o $TMP/out" "1 check site.conf.example" \
             "2 diff site.conf.example $TMP/nothing"; do
    run "$GEN" ${cmd#* } --templates "$TMP/tpl"
    echo "$output"
    [ "$status" -eq "${cmd%% *}" ]
    [[ "$output" == *"$TMP/tpl/dnsprobe.targets.mustache:$line: unknown variable 'intervall_ms' in a template this site does not render (the built-in template has none there)"* ]]
  done
  [ ! -e "$TMP/out" ]
  # one that does not compile is refused too
  printf '{{#targets}}\n' > "$TMP/tpl/dnsprobe.targets.mustache"
  run "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$TMP/tpl/dnsprobe.targets.mustache:1: "*"targets"* ]]
  [ ! -e "$TMP/out" ]
  # the built-in's names where it has them pass: a reordered line
  sed 's/^{{id}} {{source}}/{{source}} {{id}}/' templates/dnsprobe.targets.mustache \
    > "$TMP/tpl/dnsprobe.targets.mustache"
  ! cmp -s templates/dnsprobe.targets.mustache "$TMP/tpl/dnsprobe.targets.mustache"
  "$GEN" render site.conf.example -o "$TMP/out" --templates "$TMP/tpl"
  # names the renderers give every file (another built-in's header has them) pass too
  { cat templates/lvsdns-watch.service.mustache; echo '# from {{site_file}}, router {{router_id}}'; } \
    > "$TMP/tpl/lvsdns-watch.service.mustache"
  "$GEN" check site.conf.example --templates "$TMP/tpl"
  "$GEN" check tests/golden/watch/site.conf --templates "$TMP/tpl"
}
