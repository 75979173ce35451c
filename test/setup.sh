# What test/demo.sh and test/run_tests.sh share, sourced by both: the
# PostgreSQL version, the Debian packages they install and how, the
# clusters' locale, and the section headings.  The caller may add to
# PACKAGES before calling install_packages.

PG_MAJOR=15
PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
PACKAGES=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-$PG_MAJOR-pgtap
          libtap-parser-sourcehandler-pgtap-perl make gcc libc6-dev
          libpq-dev)	# libpq for a bind's foreign server (src/remote.c)
# one locale for every cluster, whatever the machine's: C.UTF-8 is always there
CLUSTER_OPTS='--locale=C.UTF-8 --encoding=UTF8'
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

section() { printf '\n==== %s\n' "$*"; }

# apt-get and make install write to the system: as root, or through sudo
as_root()
{
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo --preserve-env=DEBIAN_FRONTEND "$@"
	else
		echo "error: run this as root: '$*' needs it" >&2
		exit 1
	fi
}

packages_installed()
{
	local p

	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || return 1
	done
}

install_packages()
{
	local apt=(apt-get -o DPkg::Lock::Timeout=600 -q)

	if ! as_root "${apt[@]}" update; then
		# offline is fine when everything is there already
		packages_installed || { echo "error: apt-get update failed" >&2; exit 1; }
		echo "warning: apt-get update failed; every package is installed already" >&2
	fi
	as_root "${apt[@]}" install -y "${PACKAGES[@]}"
}

