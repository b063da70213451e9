/* Carries the build-info blocks of blobs.h in their own sections: .go.buildinfo (Go),
 * .dep-v0 (cargo-auditable) and .note.package (FDO package metadata). */
#include "blobs.h"

int main(void)
{
    return go_buildinfo[0] + dep_v0[0] + note_package[0] == 0;
}
