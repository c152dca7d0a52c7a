// What every discovery source produces, as Prometheus' targetgroup.Group: addresses sharing labels,
// named by their source so a source's groups can be replaced as a whole.
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
  source: string;
}
