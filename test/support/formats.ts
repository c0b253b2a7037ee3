/** Whether formats that other work brings are present in this build, for tests that need them to skip visibly. */
import { resolveFormat } from '../../server/src/pipeline';

/** Undefined when a format reads compose.yaml; else why a test that needs one skips. */
export const NO_COMPOSE = resolveFormat('/w/compose.yaml', undefined, () => 'services:\n  db:\n    image: postgres\n')
  ? undefined
  : 'needs the docker-compose format (issue 12, formats part), which this build does not have yet';
