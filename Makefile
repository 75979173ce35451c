# corm — PGXS build
EXTENSION   = corm
EXTVERSION  = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\(.*\)'/\1/p" corm.control)
MODULE_big  = corm
OBJS        = src/corm.o src/coldef.o src/naming.o src/catalog.o src/resolve.o \
              src/plan.o src/apply.o src/register.o src/introspect.o src/onupdate.o \
              src/meta.o src/view.o src/viewtrigger.o src/query.o \
              src/lifecycle.o src/diagram.o src/execute.o src/method.o src/keyset.o \
              src/remote.o src/foreign.o
DATA        = sql/corm--0.1.sql sql/corm--0.2.sql sql/corm--0.1--0.2.sql
REGRESS     = setup naming coldef models inheritance mixins onupdate views queries meta lifecycle privileges errors reregister indexes relationships convergence introspect diagram remote teardown
REGRESS_OPTS = --load-extension=plpgsql
PG_CPPFLAGS = -I$(srcdir)/src -I$(libpq_srcdir)
# a bind's foreign server is reached over libpq (src/remote.c)
SHLIB_LINK  = $(libpq)
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror

PG_CONFIG  ?= pg_config
PGXS       := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the shared header
$(OBJS): src/corm.h

# pgTAP suites under test/pgtap, against the installed extension
prove:
	pg_prove --ext .sql -r test/pgtap

# isolation tests: concurrent sessions (test/isolation, pg_isolation_regress), against the PG* server
isolation:
	PG_CONFIG="$(PG_CONFIG)" bash test/isolation/run.sh

# pg_dump and pg_restore of a database using corm (TAP, against the PG* server)
roundtrip:
	prove --exec bash test/dump_restore.t

# every earlier version with an update path, upgraded to this one and compared
# with a fresh install: catalog, generated objects, behaviour (TAP)
upgrade:
	prove --exec bash test/upgrade.t

# generated and mutated input through every SQL function (test/fuzz), bounded
# to about 75 s; FUZZ_SEED and FUZZ_CALLS make a longer hunt
fuzz:
	bash test/fuzz/fuzz.sh

# a migrated database is the fresh one: seeded histories of registrations,
# renames and drops compared with their final definitions built fresh
# (test/convergence, TAP); CONVERGE_SEED, CONVERGE_HISTORIES, CONVERGE_STEPS
# and CONVERGE_FEATURES make a longer hunt
converge:
	bash test/convergence/converge.sh

# a real client: a Flask-SQLAlchemy 3.0 application mapped onto corm's tables,
# its ORM against corm's views, onupdate trigger, query and relationship
# functions, alembic's compare_metadata against the database; and corm's
# onupdate against SQLAlchemy's (test/flask, TAP, against the PG* server)
flask:
	bash test/flask/run.sh

# the stages of src/ call only downward, in the order src/corm.h lists them
# (read from the built objects)
stages: all
	bash test/stages.sh

bench:
	bash test/bench/run.sh
	bash test/bench/runtime.sh

# corm.diagram() output through Graphviz's dot and mermaid-cli (TAP, against
# the PG* server); test/diagram/install.sh installs mermaid-cli with npm
render:
	bash test/diagram/install.sh && prove --exec bash test/diagram/render.t

.PHONY: prove isolation roundtrip upgrade fuzz converge flask bench render
