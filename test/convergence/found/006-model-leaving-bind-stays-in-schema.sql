-- a model that leaves its bind (bind_key dropped) keeps its table, view and functions in the bind's schema
-- known-failing: A has archive.book, archive.book_view, archive.book_get(...) and corm's catalog says archive; B has them in public; check() is silent
-- (found by seed 202, histories 14 and 16)
-- @A
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text', bind_key => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text');
-- @B
SELECT corm.register_bind('archive', schema => 'archive');
SELECT corm.register_model('Book', columns => 'id integer PRIMARY KEY, kind text');
