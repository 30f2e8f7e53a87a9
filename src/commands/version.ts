import {BaseCommand} from '../cli/base-command.js'

/** What `version --json` prints. */
export interface VersionInfo {
  name: string
  version: string
  node: string
  platform: string
  arch: string
}

/** `focalscope version`: the same line as `--version` and `-v`, or the parts as JSON. */
export default class Version extends BaseCommand {
  static override summary = 'Print the version of focalscope, Node.js and the platform.'

  static override description =
    'The same line as `focalscope --version` (or -v): focalscope/VERSION PLATFORM-ARCH node-vVERSION. With --json, those parts as one object.'

  static override examples = [
    {description: 'The version line, as in a bug report', command: '<%= config.bin %> version'},
    {
      description: 'The parts as JSON: name, version, node, platform, arch',
      command: '<%= config.bin %> version --json',
    },
  ]

  async run(): Promise<VersionInfo> {
    await this.parse(Version)
    if (!this.jsonEnabled()) this.log(this.config.userAgent)
    return {
      name: this.config.name,
      version: this.config.version,
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
    }
  }
}
