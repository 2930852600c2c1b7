-- The server's findings list pages a version's findings in the database (issue 10,
-- item 5): open or resolved ones in component and vulnerability order come straight
-- from this index, without a sort. (All of a version's findings in that order come
-- from the UNIQUE constraint's index.) The other folder holds the same version.
CREATE INDEX finding_version_open ON finding (product_version_id, open, component, vulnerability);
