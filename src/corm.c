/*
 * corm.c — the corm extension: Flask-SQLAlchemy's declarative model
 * customization (model classes, mixins, query classes, meta policies)
 * inside PostgreSQL
 */
#include "corm.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
