import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { ForeshadowConfigInput } from '../core/config/index.js';
import { ValidationError } from '../core/errors.js';
import type { InfraConfigInput } from './config/infra-config.schema.js';
import { parseInfraConfig, type InfraConfig } from './config/load-config.js';
import { Compute } from './constructs/compute.construct.js';
import { Observability } from './constructs/observability.construct.js';
import { SourceStream } from './constructs/source-stream.construct.js';
import { Storage } from './constructs/storage.construct.js';

/** This repository's root: where the handlers, package-lock.json and tsconfig.json are. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ForeshadowProps {
  /**
   * Deployment configuration (stream, worker classes, event source mapping, schedule, alarms, decision
   * thresholds). Validated here: a bad value throws a ValidationError naming the key and what is allowed.
   * @default every default of infra/config/infra-config.schema.ts
   */
  readonly config?: Omit<InfraConfigInput, 'decision'> & { readonly decision?: ForeshadowConfigInput };
  /**
   * Handler file of the worker functions, written like functions/worker/handler.ts:
   * `export const handler = createWorkerHandler(myProcessor)`. Absolute, or relative to the working directory.
   * @default functions/worker/handler.ts (the example processor)
   */
  readonly workerEntry?: string;
  /**
   * Folder esbuild bundles from; must contain `workerEntry` and the Foreshadow handlers' dependencies.
   * @default this repository's root
   */
  readonly projectRoot?: string;
  /** @default package-lock.json in `projectRoot` */
  readonly depsLockFilePath?: string;
}

/**
 * Foreshadow on AWS, as one construct to add to any CDK app: the source stream (new, or existing by ARN),
 * the metadata, audit and output tables, the failure queue, the dispatcher with its event source mapping,
 * the worker pool, the scheduled SPM, and a dashboard with alarms notifying an SNS topic.
 */
export class Foreshadow extends Construct {
  readonly config: InfraConfig;
  readonly key: kms.Key;
  readonly source: SourceStream;
  readonly storage: Storage;
  readonly compute: Compute;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: ForeshadowProps = {}) {
    super(scope, id);
    this.config = parseInfraConfig(props.config ?? {});
    const removalPolicy = this.config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const projectRoot = resolve(props.projectRoot ?? REPO_ROOT);
    const workerEntry = props.workerEntry ? (isAbsolute(props.workerEntry) ? props.workerEntry : resolve(props.workerEntry)) : join(REPO_ROOT, 'functions/worker/handler.ts');
    if (!existsSync(workerEntry)) throw new ValidationError('workerEntry', 'the path of an existing handler file', workerEntry);

    this.key = new kms.Key(this, 'Key', {
      description: 'Foreshadow: encrypts the source stream and the alarm topic',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.source = new SourceStream(this, 'Source', { stream: this.config.stream, key: this.key, removalPolicy });
    this.storage = new Storage(this, 'Storage', { removalPolicy });
    this.compute = new Compute(this, 'Compute', {
      config: this.config,
      stream: this.source.stream,
      storage: this.storage,
      removalPolicy,
      entries: {
        dispatcher: join(REPO_ROOT, 'functions/dispatcher/handler.ts'),
        worker: workerEntry,
        spm: join(REPO_ROOT, 'functions/spm/handler.ts'),
      },
      code: {
        projectRoot,
        depsLockFilePath: resolve(props.depsLockFilePath ?? join(projectRoot, 'package-lock.json')),
        tsconfig: join(REPO_ROOT, 'tsconfig.json'),
      },
    });
    this.observability = new Observability(this, 'Observability', {
      config: this.config,
      key: this.key,
      stream: this.source.stream,
      storage: this.storage,
      compute: this.compute,
    });
  }
}
