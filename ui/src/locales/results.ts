// The Results tab's strings, pt-BR first; spread into pt.ts and en.ts (the type checker keeps the keys equal).
export const resultsPt = {
  'tab.results': 'Resultados',
  'results.title': 'Resultados: benchmarks, labs e drills',
  'results.explain':
    'Cada cartão é o resultado mais recente de um tipo de medição, gravado pelo comando que o produziu (JSON + PNG em .state/reports); rodar o mesmo comando de novo substitui o cartão. Como ler uma razão: ela compara duas coisas medidas na mesma máquina, intercaladas rodada a rodada (nós ÷ Java, EOS ÷ at-least-once). 1,0 = empate; 0,8 = o primeiro faz 80% do que o segundo faz; 1,2 = 20% a mais. Cite a mediana das rodadas; o intervalo mín–máx mostra o ruído, e se ele cruza 1,0 a diferença não é conclusiva. Numa máquina de 2 núcleos com outras cargas, números absolutos variam muito; razões pareadas, bem menos.',
  'results.when': 'gerado em {when} ({age})',
  'results.age.now': 'agora mesmo',
  'results.age.min': 'há {n} min',
  'results.age.h': 'há {n} h',
  'results.age.d': 'há {n} dias',
  'results.command': 'comando',
  'results.copy': 'Copiar',
  'results.copied': 'copiado!',
  'results.copyFailed': 'selecione e copie à mão',
  'results.conclusion': 'Conclusão',
  'results.chartAlt': 'Gráfico: {title}',
  'results.openChart': 'abrir o gráfico em tamanho real',
  'results.noChart': 'Este resultado não tem gráfico: a tabela conta a história.',
  'results.what': 'O que este resultado mede?',
  'results.empty': 'Nenhum resultado ainda. Rode um destes comandos (com o stack no ar) e clique em Atualizar:',
  'results.empty.load': 'carga de checkout em malha aberta + auditoria (precisa do make run)',
  'results.empty.telemetry': 'fan-out do painel: clientes WebSocket a N eventos/s',
  'results.empty.producer': 'nosso produtor x o ProducerPerformance do próprio Kafka (Java)',
  'results.empty.pipeline': 'consume-transform-produce: exactly-once x at-least-once',
  'results.empty.acks': 'acks 0, 1 e all com o líder derrubado, num cluster de 3 nós',
  'results.empty.chaos': 'a demo do kill: um processador morre no meio do commit (pare os serviços antes)',
  'results.kind.load':
    'pedidos load envia pedidos ao gateway num ritmo fixo (malha aberta): cada pedido sai na hora marcada, responda o gateway ou não, então lentidão aparece como latência e não como uma taxa menor escondida. Oferecidos x aceitos por segundo: linhas juntas = o gateway aceitou tudo (202 só depois do ack do Kafka); aceitos abaixo = recusas (503) ou falta de resposta. O p99 do aceite por segundo mostra os picos ao longo da carga. Checkout → evento terminal vai do envio até orders.confirmed/cancelled: a saga inteira. A auditoria confere que cada pedido terminou exatamente uma vez.',
  'results.kind.bench-telemetry':
    'O fan-out do painel: um gateway real segue um tópico em que um produtor transacional escreve N eventos/s, e vários clientes WebSocket contam o que recebem. Cada cliente deveria receber tantos eventos/s quanto foram produzidos (barras na altura da linha tracejada). O atraso commit → cliente vai do commit da transação até o evento chegar ao cliente e inclui o agrupamento de até 100 ms do gateway. Descartes mostram um cliente lento perdendo eventos da sua fila limitada em vez de atrasar os outros.',
  'results.kind.bench-producer':
    'Nosso produtor Python (confluent-kafka/librdkafka) contra o ProducerPerformance do próprio Kafka (Java), com as mesmas configurações, no mesmo broker, intercalados: acks=0, acks=1, acks=all, idempotente e transacional. A razão nós ÷ Java de registros/s, por rodada: 1,0 = empate (linha tracejada), abaixo = mais lento que o Java. Olhe também latência e CPU por milhão de registros: vazão comprada com muito mais CPU não é de graça.',
  'results.kind.bench-pipeline':
    'Um estágio consume-transform-produce com Avro, medido em exactly-once (transações) e at-least-once em vários intervalos de commit, e o mesmo estágio em Quix Streams. A razão EOS ÷ ALO é o custo das transações: perto de 1,0 com intervalos longos, menor com intervalos curtos (mais commits por segundo). Em at-least-once podem aparecer duplicatas; em exactly-once, nenhuma.',
  'results.kind.lab-acks':
    'O que cada acks garante quando o líder da partição morre (3 nós, min ISR 2). Reconhecidos-mas-perdidos é o número que importa: o broker disse "ok" e o registro sumiu. acks=0 e acks=1 podem perder registros reconhecidos; acks=all com idempotência não deveria perder nem duplicar. Presentes-sem-reconhecimento são registros gravados cujo ack não chegou ao produtor.',
  'results.kind.chaos-kill':
    'A demo do kill: um processador se mata (SIGKILL) num ponto do ciclo consume-transform-produce e volta com o mesmo transactional.id. Registros abortados são as saídas da transação que ficou aberta: só um leitor read_uncommitted as vê. A auditoria prova que, mesmo assim, cada pedido terminou exatamente uma vez.',
  'results.kind.other': 'Resultado de outro comando do projeto: a tabela e a conclusão dizem o que foi medido.',
};

export const resultsEn: Record<keyof typeof resultsPt, string> = {
  'tab.results': 'Results',
  'results.title': 'Results: benchmarks, labs and drills',
  'results.explain':
    'Each card is the latest result of one kind of measurement, written by the command that produced it (JSON + PNG in .state/reports); running the same command again replaces the card. How to read a ratio: it compares two things measured on the same machine, interleaved round by round (ours ÷ Java, EOS ÷ at-least-once). 1.0 = a tie; 0.8 = the first does 80% of what the second does; 1.2 = 20% more. Quote the median of the rounds; the min–max range shows the noise, and if it crosses 1.0 the difference is not conclusive. On a 2-core machine with other load, absolute figures vary a lot; paired ratios much less.',
  'results.when': 'made {when} ({age})',
  'results.age.now': 'just now',
  'results.age.min': '{n} min ago',
  'results.age.h': '{n} h ago',
  'results.age.d': '{n} days ago',
  'results.command': 'command',
  'results.copy': 'Copy',
  'results.copied': 'copied!',
  'results.copyFailed': 'select and copy by hand',
  'results.conclusion': 'Conclusion',
  'results.chartAlt': 'Chart: {title}',
  'results.openChart': 'open the chart full size',
  'results.noChart': 'This result has no chart: the table tells the story.',
  'results.what': 'What does this result measure?',
  'results.empty': 'No results yet. Run one of these commands (with the stack up) and press Refresh:',
  'results.empty.load': 'open-loop checkout load + audit (needs make run)',
  'results.empty.telemetry': 'dashboard fan-out: WebSocket clients at N events/s',
  'results.empty.producer': "our producer vs Kafka's own ProducerPerformance (Java)",
  'results.empty.pipeline': 'consume-transform-produce: exactly-once vs at-least-once',
  'results.empty.acks': 'acks 0, 1 and all with the leader killed, on a 3-node cluster',
  'results.empty.chaos': 'the kill demo: a processor dies mid-commit (stop the services first)',
  'results.kind.load':
    'pedidos load sends orders to the gateway on a fixed schedule (open loop): each order leaves on time whether or not the gateway answered, so slowness shows up as latency rather than as a quietly lower rate. Offered vs accepted per second: lines together = the gateway took everything (202 only after Kafka\'s ack); accepted below = rejections (503) or no answer. The per-second accept p99 shows spikes during the run. Checkout → terminal event runs from the send to orders.confirmed/cancelled: the whole saga. The audit checks every order ended exactly once.',
  'results.kind.bench-telemetry':
    'The dashboard\'s fan-out: a real gateway follows a topic a transactional producer writes N events/s to, and several WebSocket clients count what they receive. Each client should get as many events/s as were produced (bars level with the dashed line). The commit → client delay runs from the transaction\'s commit to the event reaching the client and includes the gateway\'s batching of up to 100 ms. Drops show a slow client losing events from its bounded queue instead of holding the others back.',
  'results.kind.bench-producer':
    "Our Python producer (confluent-kafka/librdkafka) against Kafka's own ProducerPerformance (Java), with the same settings, on the same broker, interleaved: acks=0, acks=1, acks=all, idempotent and transactional. The ours ÷ Java ratio of records/s, per round: 1.0 = a tie (dashed line), below = slower than Java. Look at latency and CPU per million records too: throughput bought with much more CPU is not free.",
  'results.kind.bench-pipeline':
    'A consume-transform-produce stage with Avro, measured exactly-once (transactions) and at-least-once at several commit intervals, and the same stage in Quix Streams. The EOS ÷ ALO ratio is the cost of transactions: close to 1.0 with long intervals, lower with short ones (more commits per second). At-least-once may show duplicates; exactly-once, none.',
  'results.kind.lab-acks':
    'What each acks setting guarantees when the partition leader dies (3 nodes, min ISR 2). Acknowledged-but-lost is the number that matters: the broker said "ok" and the record is gone. acks=0 and acks=1 can lose acknowledged records; acks=all with idempotence should neither lose nor duplicate. Present-but-unacknowledged are records written whose ack never reached the producer.',
  'results.kind.chaos-kill':
    'The kill demo: a processor SIGKILLs itself at one step of the consume-transform-produce loop and comes back with the same transactional.id. Aborted records are the output of the transaction it left open: only a read_uncommitted reader sees them. The audit proves every order still ended exactly once.',
  'results.kind.other': "Result of another of the project's commands: the table and the conclusion say what was measured.",
};
