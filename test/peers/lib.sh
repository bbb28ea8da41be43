# shellcheck shell=bash
# Shared by the peers' start scripts (sourced): free ports and a throwaway PKI.

# Every local TCP port in use now, listening or not.
_peer_ports_taken=" $(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
read -r _peer_eph_lo _peer_eph_hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || {
  _peer_eph_lo=32768
  _peer_eph_hi=60999
}

# free_port VAR: sets VAR to a port on 127.0.0.1 that no socket uses and no earlier call returned.
# Drawn outside the kernel's ephemeral range, so an outgoing connection cannot take it between
# this pick and the server's bind (seen: "bind: address already in use" on a port from that range).
free_port() {
  local p lo=10000 hi=$((_peer_eph_lo - 1))
  if [ $((hi - lo)) -lt 1000 ]; then
    lo=$((_peer_eph_hi + 1))
    hi=65000
  fi
  for _ in $(seq 1 500); do
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
    case "$_peer_ports_taken" in *" $p "*) continue ;; esac
    _peer_ports_taken="$_peer_ports_taken$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  echo "no free port found in $lo-$hi" >&2
  return 1
}

# pki_init DIR CA_NAME: a fresh P-256 CA in DIR/ca.{key,crt}, valid two days.
pki_init() {
  _pki="$1"
  pki_newkey "$_pki/ca.key"
  openssl req -x509 -new -key "$_pki/ca.key" -sha256 -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$_pki/ca.crt" 2>/dev/null
}

# pki_newkey FILE: a P-256 private key.
pki_newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# pki_sign NAME SUBJECT EXTENSIONS: DIR/NAME.{key,crt} signed by the pki_init CA.
pki_sign() {
  pki_newkey "$_pki/$1.key"
  openssl req -new -key "$_pki/$1.key" -subj "$2" -out "$_pki/$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$_pki/$1.ext"
  openssl x509 -req -in "$_pki/$1.csr" -CA "$_pki/ca.crt" -CAkey "$_pki/ca.key" -CAcreateserial \
    -sha256 -days 2 -extfile "$_pki/$1.ext" -out "$_pki/$1.crt" 2>/dev/null
  rm -f "$_pki/$1.csr" "$_pki/$1.ext"
  chmod 600 "$_pki/$1.key"
}
