package ${{ values.name | replace("-", "") }}

import "testing"

func TestVersion(t *testing.T) {
	if Version == "" {
		t.Fatal("Version is empty")
	}
}
