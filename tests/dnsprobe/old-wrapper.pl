#!/usr/bin/perl
# The old health-check wrapper, reproduced as the baseline for
# bench-dnsprobe: keepalived ran it with nine arguments,
#   FROM_IP CLASS QTYPE QNAME TO_IP TIME TRIES ERROR_MATCH TRANSPORT
# it ran dig and failed when dig failed or when dig's "status:" matched
# ERROR_MATCH (dig itself exits 0 on SERVFAIL).
# Only for the benchmark: WRAPPER_PORT adds "-p PORT" so it can ask a named
# on a loopback test port (the original always asked port 53).
use strict;
use warnings;

die "usage: $0 FROM_IP CLASS QTYPE QNAME TO_IP TIME TRIES ERROR_MATCH TRANSPORT\n"
    unless @ARGV == 9;
my ($from, $class, $qtype, $qname, $to, $time, $tries, $match, $transport) = @ARGV;
my @cmd = ('dig', '-b', $from, $class, $qtype, $qname, "\@$to", "+time=$time",
           "+tries=$tries", '+fail', $transport eq 'tcp' ? '+tcp' : '+notcp');
push @cmd, '-p', $ENV{WRAPPER_PORT} if $ENV{WRAPPER_PORT};
open(my $dig, '-|', @cmd) or exit 1;
my $out = do { local $/; <$dig> };
close($dig);
exit 1 if $? != 0;
my ($status) = $out =~ /status: (\w+)/;
exit 1 unless defined $status;
exit 1 if $status =~ /$match/;
exit 0;
