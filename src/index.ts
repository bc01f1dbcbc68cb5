/**
 * tfo-agent as a library: the host collector, and (from the pipeline modules) the
 * metric model, buffer, exporter and the Agent itself.
 */
export { HostCollector } from './host-collector'
export { NativeBindingError } from './native'
export type * from './native'
