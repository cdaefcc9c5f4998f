// The YAML library, loaded the first time a story's front matter is read or written: it takes
// ~0.1 s to load, and answering a question or an unchanged build reads no story file.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;

function library(): typeof Yaml {
  return (yaml ??= require('yaml') as typeof Yaml);
}

export const parseYaml = (text: string): unknown => library().parse(text);
export const toYaml = (value: unknown, options?: Yaml.ToStringOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.CreateNodeOptions): string => library().stringify(value, options);
