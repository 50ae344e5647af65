import { LagChart } from '../components/LagChart';
import { LagTable } from '../components/LagTable';
import { PartitionStrips } from '../components/PartitionStrips';
import { ProcessorsTable, RebalanceList } from '../components/ProcessorsTable';
import { XrayView } from '../components/XrayView';
import type { Dashboard } from '../state/useDashboard';

export function KafkaPanel({ dash }: { dash: Dashboard }) {
  return (
    <div className="panel-grid kafka-grid">
      <PartitionStrips cluster={dash.cluster} />
      <LagChart points={dash.lagHistory} faults={dash.faults.faults} />
      <LagTable cluster={dash.cluster} />
      <ProcessorsTable cluster={dash.cluster} />
      <XrayView cluster={dash.cluster} />
      <RebalanceList cluster={dash.cluster} />
    </div>
  );
}
