package trails

import (
	"github.com/cairnhq/cairn/internal/api/cloudtrail"
	"github.com/cairnhq/cairn/internal/store"
)

// maxTrailsPerRegion is CloudTrail's trail quota; it counts the shadows of
// multi-Region trails and cannot be raised.
const maxTrailsPerRegion = 5

// findVisible returns the trail ref names as the caller sees it in its
// Region. An ARN finds a trail of the caller's account that exists in the
// caller's Region, itself or as a shadow. A name finds a trail whose home is
// the caller's Region, and, when shadowsByName is set, also a shadow there.
func findVisible(tx store.Tx, sc scope, ref trailRef, shadowsByName bool) (*trailRecord, error) {
	if ref.byARN {
		if ref.account != sc.account {
			return nil, ref.notFound(sc)
		}
		t, err := getRecord(tx, recordKey(sc.account, ref.name, ref.region))
		if err != nil {
			return nil, err
		}
		if t == nil || !visibleIn(t.HomeRegion, t.MultiRegion, sc.region) {
			return nil, ref.notFound(sc)
		}
		return t, nil
	}
	t, err := getRecord(tx, recordKey(sc.account, ref.name, sc.region))
	if err != nil || t != nil {
		return t, err
	}
	if shadowsByName {
		named, err := trailsNamed(tx, sc.account, ref.name)
		if err != nil {
			return nil, err
		}
		for _, t := range named {
			if visibleIn(t.HomeRegion, t.MultiRegion, sc.region) {
				return t, nil
			}
		}
	}
	return nil, ref.notFound(sc)
}

// findOwned returns the trail ref names for an operation that changes it,
// which only the trail's home Region may call.
func findOwned(tx store.Tx, sc scope, ref trailRef) (*trailRecord, error) {
	t, err := findVisible(tx, sc, ref, true)
	if err != nil {
		return nil, err
	}
	if t.HomeRegion != sc.region {
		return nil, cloudtrail.NewInvalidHomeRegionException(
			"The trail %s can only be changed from its home region %s; this request was made in %s.",
			t.arn(), t.HomeRegion, sc.region)
	}
	return t, nil
}

// checkNameFree answers TrailAlreadyExistsException when another trail of
// the account with t's name exists in any Region where t would exist. When
// stored is set, t is an existing trail being updated, which does not
// conflict with itself.
func checkNameFree(tx store.Tx, t *trailRecord, stored bool) error {
	named, err := trailsNamed(tx, t.Account, t.Name)
	if err != nil {
		return err
	}
	for _, other := range named {
		if stored && other.key() == t.key() {
			continue
		}
		for _, r := range regionsOf(t.HomeRegion, t.MultiRegion) {
			if visibleIn(other.HomeRegion, other.MultiRegion, r) {
				return alreadyExists(t)
			}
		}
	}
	return nil
}

func alreadyExists(t *trailRecord) error {
	return cloudtrail.NewTrailAlreadyExistsException("Trail %s already exists for customer: %s", t.Name, t.Account)
}

// checkTrailLimit answers MaximumNumberOfTrailsExceededException when t
// would make any Region where it exists hold more than maxTrailsPerRegion
// trails. The home Region is checked first.
func checkTrailLimit(tx store.Tx, t *trailRecord) error {
	all, err := accountTrails(tx, t.Account)
	if err != nil {
		return err
	}
	for _, region := range regionsOf(t.HomeRegion, t.MultiRegion) {
		count := 1
		for _, other := range all {
			if other.key() != t.key() && visibleIn(other.HomeRegion, other.MultiRegion, region) {
				count++
			}
		}
		if count > maxTrailsPerRegion {
			return cloudtrail.NewMaximumNumberOfTrailsExceededException(
				"User: %s already has %d trails in %s.", t.Account, maxTrailsPerRegion, region)
		}
	}
	return nil
}
