// The npm specs of lcc's runtime and toolchain that a project lcc writes
// depends on (a scaffold, a converted tool): the checkout's own packages when
// lcc runs from one, else the registry's of this version.
import * as path from 'node:path';

export interface PackageSpecs { lbc: string; lcc: string }

export function packageSpecs(checkout: string | null, version: string): PackageSpecs {
  return checkout ? { lbc: `file:${path.join(checkout, 'lbc')}`, lcc: `file:${checkout}` } : { lbc: `^${version}`, lcc: `^${version}` };
}
