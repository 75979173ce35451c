-- a single-table sibling's foreign key makes an existing relationship ambiguous: the migrated database keeps it, a fresh one refuses it
-- known-failing: A accepts Order (its rank_id goes into the shared table genre, a second key to review) and keeps review_loans(...), check() reports 42702 for Review and Loan; in B the relationship fails with 42702 "could follow several foreign keys"
-- Registering a second key in Loan itself is refused (42702) as it should be; a sibling's is not.
-- (found by seed 606, histories 16 and 43)
-- @A
SELECT corm.register_model('Review', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Genre', columns => 'id integer PRIMARY KEY, kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Loan', columns => 'review_id integer REFERENCES review', parent => 'Genre');
SELECT corm.register_relationship('Review', 'loans', 'Loan');
SELECT corm.register_model('Order', columns => 'rank_id integer REFERENCES review', parent => 'Genre');
-- @B
SELECT corm.register_model('Review', columns => 'id integer PRIMARY KEY');
SELECT corm.register_model('Genre', columns => 'id integer PRIMARY KEY, kind text', polymorphic_on => 'kind');
SELECT corm.register_model('Loan', columns => 'review_id integer REFERENCES review', parent => 'Genre');
SELECT corm.register_model('Order', columns => 'rank_id integer REFERENCES review', parent => 'Genre');
SELECT corm.register_relationship('Review', 'loans', 'Loan');
