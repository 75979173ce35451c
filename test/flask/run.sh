#!/usr/bin/env bash
#
# A real client of corm: a Flask-SQLAlchemy 3.0 application mapped onto the
# tables corm makes (test/flask/flask_app.py), Flask-SQLAlchemy's own
# Pagination, iter_pages, get_or_404, first_or_404 as an oracle for corm's
# (test/flask/pagination_oracle.py), and corm's onupdate against SQLAlchemy
# 1.4's (test/onupdate_sqlalchemy.py), all TAP, through prove.
# Each runs against the server the PG* variables name, in databases of its
# own that it drops at the end; corm must be installed there.
#
#     bash test/flask/run.sh                                  (as in make flask)
#     pg_virtualenv -t -v 15 -c '--locale=C.UTF-8 --encoding=UTF8' bash test/flask/run.sh
#
# Needs the Debian packages python3-flask-sqlalchemy, python3-sqlalchemy,
# python3-alembic and python3-psycopg2.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=''
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null &&
		"$p" -c 'import flask_sqlalchemy, sqlalchemy, alembic, psycopg2' 2>/dev/null; then
		python=$(command -v "$p")
		break
	fi
done
if [[ -z $python ]]; then
	echo "Bail out! flask: python3 with Flask-SQLAlchemy, SQLAlchemy, alembic and psycopg2 is needed" \
		"(apt-get install python3-flask-sqlalchemy python3-sqlalchemy python3-alembic python3-psycopg2)"
	exit 2
fi
cd "$here/../.."
exec prove -v --exec "$python" test/flask/flask_app.py test/flask/pagination_oracle.py \
	test/onupdate_sqlalchemy.py </dev/null
