// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Eip712Sig} from "./Eip712Sig.sol";
import {VerityReceipt} from "./VerityReceipt.sol";

/// What the dispute contract reads from and does to NodeRegistry (it must be a slasher).
interface IDisputeRegistry {
    function operatorOf(address node) external view returns (address);
    function isBanned(address node) external view returns (bool);
    function receiptDomainSeparator() external view returns (bytes32);
    function minStake() external view returns (uint256);
    function nodeCount() external view returns (uint256);
    function listNodes(uint256 offset, uint256 limit) external view returns (address[] memory);
    function getNode(address node)
        external
        view
        returns (
            address operator,
            string memory endpoint,
            uint256 stake,
            uint256 unbonding,
            uint64 unbondingReadyAt,
            uint64 registeredAt,
            uint64 lastHeartbeat,
            bool banned,
            bytes32[] memory models
        );
    function slash(address node, uint256 amount, address beneficiary) external returns (uint256 slashed, uint256 reward);
    function ban(address node) external;
}

/// Disputes over a signed receipt (verity-settlement/docs/DISPUTES.md). A challenger posts a bond
/// and its own trace root for the receipt's request. Both parties then bisect their committed
/// RFC 9162 trace trees on-chain: each round each party reveals the two children of the current
/// subtree, checked against its own committed hash; the game descends into the left child if the
/// left children differ, otherwise into the right. At one leaf (the first step where the traces
/// differ) a referee set drawn stake-weighted from other operators, using a later block hash,
/// re-executes that step off-chain and signs EIP-712 verdicts; the majority decides. The liar is
/// slashed (provider: whole stake, banned, challenger rewarded and repaid) or forfeits its bond
/// (challenger: paid to the provider's operator). A party that misses a move deadline loses.
/// Referees whose verdict formed the deciding majority share a fee of refereeFeeBps of what the
/// losing side forfeits through this contract, credited to their operators (pull payments).
contract DisputeManager {
    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(bytes32 disputeId,uint64 leafIndex,bytes32 providerLeaf,bytes32 challengerLeaf,uint8 winner)"
    );
    uint8 public constant PROVIDER_CORRECT = 1;
    uint8 public constant CHALLENGER_CORRECT = 2;
    uint8 public constant BOTH_WRONG = 3;
    uint256 public constant MAX_CANDIDATES = 256;
    uint256 private constant BPS = 10_000;

    enum Phase {
        None,
        Bisecting,
        AwaitingDraw,
        Refereeing,
        Resolved,
        /// A receipt without a trace (deferred): the provider must commit its root first.
        AwaitingProviderTrace
    }

    /// How a dispute ended: by the referees' majority or because a party missed a deadline.
    enum Resolution {
        None,
        Referees,
        ProviderTimedOut,
        ChallengerTimedOut
    }

    struct Dispute {
        address node;
        address providerOperator;
        address challenger;
        bytes32 receiptDigest;
        uint256 bond;
        uint64 leafCount;
        uint64 start;
        uint64 size;
        uint32 round;
        Phase phase;
        bool providerMoved;
        bool challengerMoved;
        uint64 deadline;
        uint64 drawBlock;
        uint32 drawNonce;
        uint8 outcome;
        Resolution resolution;
        bytes32 providerHash;
        bytes32 challengerHash;
        bytes32 providerLeft;
        bytes32 providerRight;
        bytes32 challengerLeft;
        bytes32 challengerRight;
        address[] referees;
        uint8[4] votes;
        // Deferred-trace disputes only (receipt.traceLeaves == 0): what the challenger posted and
        // what the provider later commits, kept until the provider's commitTrace.
        bytes32 providerRoot;
        bytes32 challengerRoot;
        bytes32 providerOutput;
        bytes32 challengerOutput;
    }

    IDisputeRegistry public immutable registry;
    uint256 public immutable minBond;
    uint64 public immutable moveTimeout;
    uint64 public immutable verdictTimeout;
    uint8 public immutable refereeCount;
    uint16 public immutable capBps;
    /// Share of the forfeited bond / slash reward paid to the deciding referees, in basis points.
    uint16 public immutable refereeFeeBps;
    /// Bonds and slash rewards of disputes where both sides lied; locked here forever.
    uint256 public forfeited;

    mapping(bytes32 => Dispute) private disputes_;
    /// disputeId => draw nonce => referee node => its verdict (0: none yet).
    mapping(bytes32 => mapping(uint32 => mapping(address => uint8))) private verdictOf_;
    /// Referee fees credited and not yet withdrawn, per payee (the referee node's operator).
    mapping(address => uint256) public refereeFees;

    event DisputeOpened(
        bytes32 indexed id,
        address indexed node,
        address indexed challenger,
        bytes32 receiptDigest,
        uint256 bond,
        uint64 leafCount,
        bytes32 providerRoot,
        bytes32 challengerRoot
    );
    event Moved(bytes32 indexed id, uint32 round, bool provider, bytes32 left, bytes32 right);
    event Narrowed(bytes32 indexed id, uint32 round, uint64 start, uint64 size);
    event StepPinned(bytes32 indexed id, uint64 leafIndex, bytes32 providerLeaf, bytes32 challengerLeaf, uint64 drawBlock);
    event RefereesDrawn(bytes32 indexed id, uint32 drawNonce, bytes32 seed, address[] referees, uint64 deadline);
    event DrawRearmed(bytes32 indexed id, uint64 drawBlock);
    event VerdictAccepted(bytes32 indexed id, address indexed referee, uint8 winner);
    event RefereeFeeCredited(bytes32 indexed id, address indexed referee, address indexed payee, uint256 amount);
    event RefereeFeesWithdrawn(address indexed payee, uint256 amount);
    /// A dispute over a trace-less receipt: the provider owes its trace root by `deadline`.
    event TraceRequested(bytes32 indexed id, address indexed node, uint64 leafCount, uint64 deadline);
    event TraceCommitted(bytes32 indexed id, bytes32 providerRoot, uint64 leafCount);
    event DisputeResolved(
        bytes32 indexed id, uint8 outcome, Resolution resolution, uint256 slashed, uint256 reward, uint256 bondPaid, address bondTo
    );

    error ZeroAddress(string what);
    error BadParameter(string what, uint256 value);
    error ReceiptSignerMismatch(address recovered, address receiptNode);
    error UnknownNode(address node);
    error NodeIsBanned(address node);
    error EmptyChallengerTrace(bytes32 receiptDigest);
    error NotTheProvider(bytes32 id, address caller);
    error TraceDeadlinePassed(bytes32 id, uint64 deadline, uint256 time);
    error EmptyTraceRoot(bytes32 id);
    error LeafCountMismatch(uint64 receiptLeaves, uint64 challengerLeaves);
    error NothingToDispute(bytes32 traceRoot, bytes32 outputDigest);
    error BondTooLow(uint256 bond, uint256 minBond);
    error ChallengerIsOperator(address challenger);
    error DisputeExists(bytes32 id);
    error UnknownDispute(bytes32 id);
    error AlreadyResolved(bytes32 id, uint8 outcome);
    error WrongPhase(bytes32 id, Phase phase, Phase expected);
    error NotAParty(bytes32 id, address caller);
    error AlreadyMoved(bytes32 id, uint32 round, bool provider);
    error MoveDeadlinePassed(bytes32 id, uint64 deadline, uint256 time);
    error MoveDoesNotMatchCommitment(bytes32 id, bool provider, bytes32 committed, bytes32 computed);
    error DeadlineNotReached(bytes32 id, uint64 deadline, uint256 time);
    error DrawTooEarly(bytes32 id, uint64 drawBlock, uint256 blockNumber);
    error NoEligibleReferees(bytes32 id);
    error VerdictDeadlinePassed(bytes32 id, uint64 deadline, uint256 time);
    error BadVerdict(uint8 winner);
    error NotAReferee(bytes32 id, address signer);
    error AlreadyVoted(bytes32 id, address referee);
    error NotRegistry(address caller);
    error TransferFailed(address to, uint256 amount);
    error NoRefereeFees(address payee);

    constructor(
        address registry_,
        uint256 minBond_,
        uint64 moveTimeout_,
        uint64 verdictTimeout_,
        uint8 refereeCount_,
        uint16 capBps_,
        uint16 refereeFeeBps_
    ) {
        if (registry_ == address(0)) revert ZeroAddress("registry");
        if (minBond_ == 0) revert BadParameter("minBond", minBond_);
        if (moveTimeout_ == 0) revert BadParameter("moveTimeout", moveTimeout_);
        if (verdictTimeout_ == 0) revert BadParameter("verdictTimeout", verdictTimeout_);
        if (refereeCount_ == 0 || refereeCount_ > 31) revert BadParameter("refereeCount", refereeCount_);
        if (capBps_ == 0 || capBps_ > BPS) revert BadParameter("capBps", capBps_);
        if (refereeFeeBps_ > BPS) revert BadParameter("refereeFeeBps", refereeFeeBps_);
        registry = IDisputeRegistry(registry_);
        minBond = minBond_;
        moveTimeout = moveTimeout_;
        verdictTimeout = verdictTimeout_;
        refereeCount = refereeCount_;
        capBps = capBps_;
        refereeFeeBps = refereeFeeBps_;
    }

    /// Slash rewards for disputes where both sides lied arrive here from the registry.
    receive() external payable {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
    }

    // ---------------------------------------------------------------- opening

    /// Opens a dispute over `receipt` (signed by its node). The caller's bond is msg.value. If the
    /// trace roots are equal, the dispute is about the outputs alone and skips to the referees
    /// with leafIndex = leafCount (the output step).
    function open(
        VerityReceipt.Receipt calldata receipt,
        VerityReceipt.Signature calldata receiptSig,
        bytes32 challengerRoot,
        uint64 challengerLeaves,
        bytes32 challengerOutput
    ) external payable returns (bytes32 id) {
        bytes32 separator = registry.receiptDomainSeparator();
        bytes32 rd = Eip712Sig.digest(separator, VerityReceipt.hashStruct(receipt));
        address signer = VerityReceipt.signer(separator, rd, receiptSig);
        if (signer != receipt.node) revert ReceiptSignerMismatch(signer, receipt.node);
        address op = registry.operatorOf(receipt.node);
        if (op == address(0)) revert UnknownNode(receipt.node);
        if (registry.isBanned(receipt.node)) revert NodeIsBanned(receipt.node);
        if (msg.sender == op || msg.sender == receipt.node) revert ChallengerIsOperator(msg.sender);
        if (msg.value < minBond) revert BondTooLow(msg.value, minBond);
        if (receipt.traceLeaves == 0) {
            return _openDeferred(rd, receipt.node, op, receipt.outputDigest, challengerRoot, challengerLeaves, challengerOutput);
        }
        if (challengerLeaves != receipt.traceLeaves) revert LeafCountMismatch(receipt.traceLeaves, challengerLeaves);
        if (challengerRoot == receipt.traceRoot && challengerOutput == receipt.outputDigest) {
            revert NothingToDispute(challengerRoot, challengerOutput);
        }
        id = disputeId(rd, msg.sender, challengerRoot, challengerOutput);
        Dispute storage d = disputes_[id];
        if (d.phase != Phase.None) revert DisputeExists(id);
        d.node = receipt.node;
        d.providerOperator = op;
        d.challenger = msg.sender;
        d.receiptDigest = rd;
        d.bond = msg.value;
        d.leafCount = receipt.traceLeaves;
        emit DisputeOpened(id, receipt.node, msg.sender, rd, msg.value, receipt.traceLeaves, receipt.traceRoot, challengerRoot);
        if (challengerRoot == receipt.traceRoot) {
            d.start = receipt.traceLeaves;
            d.size = 1;
            d.providerHash = receipt.outputDigest;
            d.challengerHash = challengerOutput;
            _pin(id, d);
        } else {
            d.start = 0;
            d.size = receipt.traceLeaves;
            d.providerHash = receipt.traceRoot;
            d.challengerHash = challengerRoot;
            if (d.size == 1) {
                _pin(id, d);
            } else {
                d.phase = Phase.Bisecting;
                d.deadline = uint64(block.timestamp) + moveTimeout;
            }
        }
    }

    /// keccak256(abi.encode(receiptDigest, challenger, challengerRoot, challengerOutput)).
    function disputeId(bytes32 receiptDigest, address challenger, bytes32 challengerRoot, bytes32 challengerOutput)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(receiptDigest, challenger, challengerRoot, challengerOutput));
    }

    // ---------------------------------------------------------------- deferred trace

    /// A receipt issued without a trace (policy `none`, docs/DISPUTES.md "Deferred trace"): the
    /// challenger's leaf count becomes the dispute's, and the provider must commit its root over
    /// that many leaves with commitTrace before `now + moveTimeout`. Only an output dispute makes
    /// sense here: with no committed trace, equal outputs leave nothing to dispute.
    function _openDeferred(
        bytes32 rd,
        address node,
        address op,
        bytes32 providerOutput,
        bytes32 challengerRoot,
        uint64 challengerLeaves,
        bytes32 challengerOutput
    ) private returns (bytes32 id) {
        if (challengerLeaves == 0 || challengerRoot == bytes32(0)) revert EmptyChallengerTrace(rd);
        if (challengerOutput == providerOutput) revert NothingToDispute(bytes32(0), challengerOutput);
        id = disputeId(rd, msg.sender, challengerRoot, challengerOutput);
        Dispute storage d = disputes_[id];
        if (d.phase != Phase.None) revert DisputeExists(id);
        d.node = node;
        d.providerOperator = op;
        d.challenger = msg.sender;
        d.receiptDigest = rd;
        d.bond = msg.value;
        d.leafCount = challengerLeaves;
        d.challengerRoot = challengerRoot;
        d.providerOutput = providerOutput;
        d.challengerOutput = challengerOutput;
        d.phase = Phase.AwaitingProviderTrace;
        d.deadline = uint64(block.timestamp) + moveTimeout;
        emit DisputeOpened(id, node, msg.sender, rd, msg.value, challengerLeaves, bytes32(0), challengerRoot);
        emit TraceRequested(id, node, challengerLeaves, d.deadline);
    }

    /// The provider's (node key or operator account) trace root over the dispute's leafCount
    /// leaves. From here the dispute runs as for a receipt that carried this root: equal roots go
    /// to the output step, different roots to bisection.
    function commitTrace(bytes32 id, bytes32 root) external {
        Dispute storage d = _expect(id, Phase.AwaitingProviderTrace);
        if (msg.sender != d.providerOperator && msg.sender != d.node) revert NotTheProvider(id, msg.sender);
        if (block.timestamp > d.deadline) revert TraceDeadlinePassed(id, d.deadline, block.timestamp);
        if (root == bytes32(0)) revert EmptyTraceRoot(id);
        d.providerRoot = root;
        emit TraceCommitted(id, root, d.leafCount);
        if (root == d.challengerRoot) {
            d.start = d.leafCount;
            d.size = 1;
            d.providerHash = d.providerOutput;
            d.challengerHash = d.challengerOutput;
            _pin(id, d);
        } else {
            d.start = 0;
            d.size = d.leafCount;
            d.providerHash = root;
            d.challengerHash = d.challengerRoot;
            if (d.size == 1) {
                _pin(id, d);
            } else {
                d.phase = Phase.Bisecting;
                d.deadline = uint64(block.timestamp) + moveTimeout;
            }
        }
    }

    /// Both committed roots of a deferred-trace dispute (providerRoot zero until commitTrace);
    /// zero for a dispute over a receipt that carried its trace (its roots are in DisputeOpened).
    function deferredRoots(bytes32 id) external view returns (bytes32 providerRoot, bytes32 challengerRoot) {
        Dispute storage d = disputes_[id];
        if (d.phase == Phase.None) revert UnknownDispute(id);
        return (d.providerRoot, d.challengerRoot);
    }

    // ---------------------------------------------------------------- bisection

    /// One party's move: the children of the current subtree under its own commitment. The
    /// provider moves from its node key or its operator account, the challenger from its account.
    function move(bytes32 id, bytes32 left, bytes32 right) external {
        Dispute storage d = _expect(id, Phase.Bisecting);
        if (block.timestamp > d.deadline) revert MoveDeadlinePassed(id, d.deadline, block.timestamp);
        bool provider;
        if (msg.sender == d.challenger) {
            provider = false;
        } else if (msg.sender == d.providerOperator || msg.sender == d.node) {
            provider = true;
        } else {
            revert NotAParty(id, msg.sender);
        }
        if (provider ? d.providerMoved : d.challengerMoved) revert AlreadyMoved(id, d.round, provider);
        bytes32 computed = sha256(abi.encodePacked(bytes1(0x01), left, right));
        bytes32 committed = provider ? d.providerHash : d.challengerHash;
        if (computed != committed) revert MoveDoesNotMatchCommitment(id, provider, committed, computed);
        if (provider) {
            d.providerMoved = true;
            d.providerLeft = left;
            d.providerRight = right;
        } else {
            d.challengerMoved = true;
            d.challengerLeft = left;
            d.challengerRight = right;
        }
        emit Moved(id, d.round, provider, left, right);
        if (d.providerMoved && d.challengerMoved) _descend(id, d);
    }

    function _descend(bytes32 id, Dispute storage d) private {
        uint64 k = _split(d.size);
        if (d.providerLeft != d.challengerLeft) {
            d.size = k;
            d.providerHash = d.providerLeft;
            d.challengerHash = d.challengerLeft;
        } else {
            d.start += k;
            d.size -= k;
            d.providerHash = d.providerRight;
            d.challengerHash = d.challengerRight;
        }
        d.providerMoved = false;
        d.challengerMoved = false;
        d.round += 1;
        emit Narrowed(id, d.round, d.start, d.size);
        if (d.size == 1) {
            _pin(id, d);
        } else {
            d.deadline = uint64(block.timestamp) + moveTimeout;
        }
    }

    /// Largest power of two smaller than n (n >= 2): the RFC 9162 split.
    function _split(uint64 n) private pure returns (uint64 k) {
        k = 1;
        while (k << 1 < n) k <<= 1;
    }

    function _pin(bytes32 id, Dispute storage d) private {
        d.phase = Phase.AwaitingDraw;
        d.drawBlock = uint64(block.number) + 1;
        emit StepPinned(id, d.start, d.providerHash, d.challengerHash, d.drawBlock);
    }

    /// After a move deadline: the party that did not move loses (the challenger if neither did).
    /// Awaiting the provider's trace past its deadline: the provider loses.
    function timeout(bytes32 id) external {
        if (disputes_[id].phase == Phase.AwaitingProviderTrace) {
            Dispute storage w = disputes_[id];
            if (block.timestamp <= w.deadline) revert DeadlineNotReached(id, w.deadline, block.timestamp);
            _resolve(id, w, CHALLENGER_CORRECT, Resolution.ProviderTimedOut);
            return;
        }
        Dispute storage d = _expect(id, Phase.Bisecting);
        if (block.timestamp <= d.deadline) revert DeadlineNotReached(id, d.deadline, block.timestamp);
        if (d.providerMoved && !d.challengerMoved) {
            _resolve(id, d, PROVIDER_CORRECT, Resolution.ChallengerTimedOut);
        } else if (d.challengerMoved && !d.providerMoved) {
            _resolve(id, d, CHALLENGER_CORRECT, Resolution.ProviderTimedOut);
        } else {
            _resolve(id, d, PROVIDER_CORRECT, Resolution.ChallengerTimedOut);
        }
    }

    // ---------------------------------------------------------------- referees

    /// Draws the referee set from the hash of `drawBlock` (a block after the step was pinned).
    /// If that hash has aged out (256 blocks), re-arms with the next block instead.
    function drawReferees(bytes32 id) external {
        Dispute storage d = _expect(id, Phase.AwaitingDraw);
        if (block.number <= d.drawBlock) revert DrawTooEarly(id, d.drawBlock, block.number);
        bytes32 bh = blockhash(d.drawBlock);
        if (bh == bytes32(0)) {
            d.drawBlock = uint64(block.number) + 1;
            emit DrawRearmed(id, d.drawBlock);
            return;
        }
        bytes32 seed = keccak256(abi.encodePacked(bh, id));
        address[] memory picked = _draw(seed, d.providerOperator, d.challenger);
        if (picked.length == 0) revert NoEligibleReferees(id);
        d.referees = picked;
        d.drawNonce += 1;
        delete d.votes;
        d.phase = Phase.Refereeing;
        d.deadline = uint64(block.timestamp) + verdictTimeout;
        emit RefereesDrawn(id, d.drawNonce, seed, picked, d.deadline);
    }

    /// Records a referee's signed verdict (anyone may relay it); a majority of the set resolves.
    function submitVerdict(bytes32 id, uint8 winner, bytes calldata sig) external {
        Dispute storage d = _expect(id, Phase.Refereeing);
        if (block.timestamp > d.deadline) revert VerdictDeadlinePassed(id, d.deadline, block.timestamp);
        if (winner < PROVIDER_CORRECT || winner > BOTH_WRONG) revert BadVerdict(winner);
        address signer = Eip712Sig.recover(verdictDigest(id, winner), sig);
        bool member;
        for (uint256 i = 0; i < d.referees.length; i++) {
            if (d.referees[i] == signer) {
                member = true;
                break;
            }
        }
        if (!member) revert NotAReferee(id, signer);
        if (verdictOf_[id][d.drawNonce][signer] != 0) revert AlreadyVoted(id, signer);
        verdictOf_[id][d.drawNonce][signer] = winner;
        d.votes[winner] += 1;
        emit VerdictAccepted(id, signer, winner);
        if (d.votes[winner] > d.referees.length / 2) _resolve(id, d, winner, Resolution.Referees);
    }

    /// No majority before the verdict deadline: a fresh set is drawn from a later block.
    function redraw(bytes32 id) external {
        Dispute storage d = _expect(id, Phase.Refereeing);
        if (block.timestamp <= d.deadline) revert DeadlineNotReached(id, d.deadline, block.timestamp);
        d.phase = Phase.AwaitingDraw;
        d.drawBlock = uint64(block.number) + 1;
        emit DrawRearmed(id, d.drawBlock);
    }

    /// EIP-712 digest a referee signs, in the domain {"Verity", "1", chainId, this contract}.
    function verdictDigest(bytes32 id, uint8 winner) public view returns (bytes32) {
        Dispute storage d = disputes_[id];
        if (d.phase == Phase.None) revert UnknownDispute(id);
        bytes32 structHash =
            keccak256(abi.encode(VERDICT_TYPEHASH, id, d.start, d.providerHash, d.challengerHash, winner));
        return Eip712Sig.digest(domainSeparator(), structHash);
    }

    function domainSeparator() public view returns (bytes32) {
        return Eip712Sig.domainSeparator(address(this));
    }

    /// Stake-weighted draw of distinct operators with a per-operator cap (verity-audit DRAW.md,
    /// the same algorithm as dev.verity.audit.draw.StakeDraw): eligible nodes are the first
    /// MAX_CANDIDATES registered, not banned, stake >= minStake, operator neither party.
    function _draw(bytes32 seed, address excludedA, address excludedB) private view returns (address[] memory out) {
        uint256 n = registry.nodeCount();
        if (n > MAX_CANDIDATES) n = MAX_CANDIDATES;
        address[] memory nodes = registry.listNodes(0, n);
        address[] memory nodeOp = new address[](n);
        uint256[] memory nodeStake = new uint256[](n);
        address[] memory ops = new address[](n);
        uint256[] memory opStake = new uint256[](n);
        uint256 opCount;
        uint256 total;
        uint256 minStake = registry.minStake();
        for (uint256 i = 0; i < n; i++) {
            (address op,, uint256 stake,,,,, bool banned,) = registry.getNode(nodes[i]);
            if (banned || stake == 0 || stake < minStake || op == excludedA || op == excludedB) continue;
            nodeOp[i] = op;
            nodeStake[i] = stake;
            total += stake;
            uint256 j = 0;
            while (j < opCount && ops[j] != op) j++;
            if (j == opCount) {
                ops[opCount] = op;
                opCount++;
            }
            opStake[j] += stake;
        }
        uint256 cap = total * capBps / BPS;
        uint256[] memory weight = new uint256[](opCount);
        for (uint256 j = 0; j < opCount; j++) {
            uint256 w = opStake[j] < cap ? opStake[j] : cap;
            weight[j] = w == 0 ? 1 : w;
        }
        uint256 k = refereeCount < opCount ? refereeCount : opCount;
        out = new address[](k);
        bool[] memory taken = new bool[](opCount);
        for (uint256 i = 0; i < k; i++) {
            uint256 sum;
            for (uint256 j = 0; j < opCount; j++) {
                if (!taken[j]) sum += weight[j];
            }
            uint256 r = uint256(keccak256(abi.encodePacked(seed, i))) % sum;
            uint256 run;
            uint256 pick;
            for (pick = 0; pick < opCount; pick++) {
                if (taken[pick]) continue;
                run += weight[pick];
                if (run > r) break;
            }
            uint256 r2 = uint256(keccak256(abi.encodePacked(seed, i, uint256(1)))) % opStake[pick];
            uint256 run2;
            for (uint256 t = 0; t < n; t++) {
                if (nodeOp[t] != ops[pick] || nodeStake[t] == 0) continue;
                run2 += nodeStake[t];
                if (run2 > r2) {
                    out[i] = nodes[t];
                    break;
                }
            }
            taken[pick] = true;
        }
    }

    // ---------------------------------------------------------------- resolution

    /// Timeouts keep the original flows: the registry pays a slash reward straight to the
    /// challenger. A referee resolution routes the slash reward through this contract so the
    /// referee fee can be taken from it; see DISPUTES.md "Referee pay" for the formula.
    function _resolve(bytes32 id, Dispute storage d, uint8 outcome, Resolution how) private {
        d.phase = Phase.Resolved;
        d.outcome = outcome;
        d.resolution = how;
        bool byReferees = how == Resolution.Referees;
        uint256 slashed;
        uint256 reward;
        uint256 bond = d.bond;
        address payee;
        uint256 pot; // what the losing side forfeits through this contract
        if (outcome == CHALLENGER_CORRECT) {
            (slashed, reward) = registry.slash(d.node, type(uint256).max, byReferees ? address(this) : d.challenger);
            registry.ban(d.node);
            payee = d.challenger;
            pot = byReferees ? reward : 0;
        } else if (outcome == PROVIDER_CORRECT) {
            payee = d.providerOperator;
            pot = bond;
        } else {
            (slashed, reward) = registry.slash(d.node, type(uint256).max, address(this));
            registry.ban(d.node);
            pot = bond + reward;
        }
        uint256 fees = byReferees ? _payReferees(id, d, outcome, pot) : 0;
        uint256 paid;
        if (outcome == CHALLENGER_CORRECT) {
            paid = bond + pot - fees;
        } else if (outcome == PROVIDER_CORRECT) {
            paid = bond - fees;
        } else {
            forfeited += pot - fees;
        }
        emit DisputeResolved(id, outcome, how, slashed, reward, paid, payee);
        if (payee != address(0) && paid > 0) {
            (bool ok,) = payee.call{value: paid}("");
            if (!ok) revert TransferFailed(payee, paid);
        }
    }

    /// Credits ⌊⌊pot × refereeFeeBps / 10000⌋ / m⌋ to the operator of each of the m referees of
    /// the deciding draw whose verdict equals the outcome; returns the total credited.
    function _payReferees(bytes32 id, Dispute storage d, uint8 outcome, uint256 pot) private returns (uint256 total) {
        uint256 m = d.votes[outcome];
        if (m == 0 || refereeFeeBps == 0) return 0;
        uint256 share = pot * refereeFeeBps / BPS / m;
        if (share == 0) return 0;
        for (uint256 i = 0; i < d.referees.length; i++) {
            address referee = d.referees[i];
            if (verdictOf_[id][d.drawNonce][referee] != outcome) continue;
            address payee = registry.operatorOf(referee);
            refereeFees[payee] += share;
            total += share;
            emit RefereeFeeCredited(id, referee, payee, share);
        }
    }

    /// Pays `payee` its credited referee fees. Anyone may call it; the money only goes to payee.
    function withdrawRefereeFees(address payee) external {
        uint256 amount = refereeFees[payee];
        if (amount == 0) revert NoRefereeFees(payee);
        refereeFees[payee] = 0;
        emit RefereeFeesWithdrawn(payee, amount);
        (bool ok,) = payee.call{value: amount}("");
        if (!ok) revert TransferFailed(payee, amount);
    }

    function _expect(bytes32 id, Phase expected) private view returns (Dispute storage d) {
        d = disputes_[id];
        if (d.phase == Phase.None) revert UnknownDispute(id);
        if (d.phase == Phase.Resolved) revert AlreadyResolved(id, d.outcome);
        if (d.phase != expected) revert WrongPhase(id, d.phase, expected);
    }

    // ---------------------------------------------------------------- views

    /// The dispute's state; for a pinned step `start` is the disputed leaf index and the two
    /// hashes are the parties' leaf hashes (or output digests when start == leafCount).
    function getDispute(bytes32 id)
        external
        view
        returns (
            address node,
            address providerOperator,
            address challenger,
            bytes32 receiptDigest,
            uint256 bond,
            uint64 leafCount,
            uint64 start,
            uint64 size,
            uint32 round,
            Phase phase,
            uint64 deadline,
            uint64 drawBlock,
            bytes32 providerHash,
            bytes32 challengerHash,
            uint8 outcome
        )
    {
        Dispute storage d = disputes_[id];
        if (d.phase == Phase.None) revert UnknownDispute(id);
        return (
            d.node,
            d.providerOperator,
            d.challenger,
            d.receiptDigest,
            d.bond,
            d.leafCount,
            d.start,
            d.size,
            d.round,
            d.phase,
            d.deadline,
            d.drawBlock,
            d.providerHash,
            d.challengerHash,
            d.outcome
        );
    }

    function referees(bytes32 id) external view returns (address[] memory) {
        Dispute storage d = disputes_[id];
        if (d.phase == Phase.None) revert UnknownDispute(id);
        return d.referees;
    }
}
